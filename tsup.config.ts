import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', 'testing/vitest': 'src/testing/vitest.ts', import: 'src/import.ts', sqlite: 'src/sqlite.ts', http: 'src/http.ts' },
  sourcemap: true,
  target: 'node20',
  treeshake: true,
  external: ['vitest', 'fast-check', 'better-sqlite3'],
};

// The adapters and the HTTP layer import the core through src/index.ts; in the build that import
// is the package itself, so dist/sqlite.* and dist/http.* load the one copy of the core (one
// PipelineError, one schema).
const coreAsPackage = {
  name: 'core-as-package',
  setup(build: { onResolve(o: { filter: RegExp }, cb: (args: { importer: string }) => { path: string; external: boolean } | undefined): void }) {
    build.onResolve({ filter: /^\.\.\/\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]adapters[\\/]/.test(args.importer) ? { path: 'sales-pipelines', external: true } : undefined);
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]http[\\/]/.test(args.importer) ? { path: 'sales-pipelines', external: true } : undefined);
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
  { ...shared, format: ['cjs'], dts: true, esbuildPlugins: [coreAsPackage] },
  { ...postgres, format: ['esm'], dts: true },
  { ...postgres, format: ['cjs'], dts: true },
]);
