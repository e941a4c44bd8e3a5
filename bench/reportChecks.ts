// What the store-report benchmarks share (bench/storage.reports.bench.ts on SQLite,
// bench/storage.postgres.reports.bench.ts on PostgreSQL): the period they report on and the check
// that a baseline gives the library's figures, on data that shows something.

/** The first quarter of 2026; the waterfall looks at the new-cars deals closing in it. */
export const from = Date.UTC(2026, 0, 1);
export const to = Date.UTC(2026, 3, 1);
export const funnelOpts = { pipelineId: 'new-cars', from, to };
export const waterfallOpts = { from, to, pipelineId: 'new-cars', closingFrom: '2026-01-01', closingTo: '2026-03-31' };

/** JSON with object keys sorted, so records built in another key order (or without a prototype) compare equal. */
function canonical(value: unknown, idsAsCounts = false): string {
  return JSON.stringify(value, (k, v: unknown) =>
    idsAsCounts && k === 'dealIds' ? (v as unknown[]).length
    : v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
}

/** Throws unless the baseline's figures are the library's, and the library's show something. */
export function same(what: string, library: unknown, baseline: unknown, nonEmpty: (v: unknown) => boolean): void {
  if (canonical(library) !== canonical(baseline)) throw new Error(`${what}: the baseline's figures differ from the library's\nlibrary:  ${canonical(library).slice(0, 2000)}\nbaseline: ${canonical(baseline).slice(0, 2000)}`);
  if (!nonEmpty(library)) throw new Error(`${what}: nothing to show on this data: ${canonical(library, true).slice(0, 2000)}`);
}

/** Dwell rows by (pipeline, stage). */
export const keyed = (rows: { pipelineId: string | null; stageId: string }[]) => [...rows].sort((a, b) => `${a.pipelineId}/${a.stageId}` < `${b.pipelineId}/${b.stageId}` ? -1 : 1);
