// CommonJS stand-in for vitestApi.ts: vitest refuses require(), so the contract suite needs the
// ESM build. Everything else in sales-pipelines/testing works from CommonJS.
const esmOnly = (): never => {
  throw new Error('describeRepositoryContract runs under vitest, which is ESM only: load sales-pipelines/testing with import');
};
export const describe = esmOnly;
export const it = esmOnly;
export const expect = esmOnly as unknown as typeof import('vitest').expect;
