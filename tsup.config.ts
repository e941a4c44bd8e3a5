import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', import: 'src/import.ts', sqlite: 'src/sqlite.ts' },
  sourcemap: true,
  target: 'node20',
  treeshake: true,
  external: ['vitest', 'fast-check', 'better-sqlite3'],
};

// The adapters import the core through src/index.ts; in the build that import is the package
// itself, so dist/sqlite.* load the one copy of the core (one PipelineError, one schema).
const coreAsPackage = {
  name: 'core-as-package',
  setup(build: { onResolve(o: { filter: RegExp }, cb: (args: { importer: string }) => { path: string; external: boolean } | undefined): void }) {
    build.onResolve({ filter: /^\.\.\/\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]adapters[\\/]/.test(args.importer) ? { path: 'sales-pipelines', external: true } : undefined);
  },
};

// vitest cannot be require()d: the CommonJS build gets a stand-in that explains this when used.
const vitestStandIn = {
  name: 'vitest-stand-in-for-cjs',
  setup(build: { onResolve(o: { filter: RegExp }, cb: () => { path: string }): void }) {
    build.onResolve({ filter: /\/vitestApi\.js$/ }, () => ({ path: fileURLToPath(new URL('./src/testing/vitestApiCjs.ts', import.meta.url)) }));
  },
};

// The PostgreSQL adapter imports the core by its package name and keeps it external, so a host
// has one copy of the core (one PipelineError) whichever entry points it loads.
const postgres: Options = {
  entry: { postgres: 'src/postgres.ts' },
  sourcemap: true,
  target: 'node20',
  treeshake: true,
  external: ['sales-pipelines', 'pg'],
};

export default defineConfig([
  { ...shared, format: ['esm'], dts: true, esbuildPlugins: [coreAsPackage] },
  { ...shared, format: ['cjs'], dts: true, esbuildPlugins: [vitestStandIn, coreAsPackage] },
  { ...postgres, format: ['esm'], dts: true },
  { ...postgres, format: ['cjs'], dts: true },
]);
