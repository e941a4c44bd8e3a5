import { defineConfig } from 'tsup';

// One build of every entry point, ESM and CommonJS, with code splitting in both formats: the core
// (PipelineError, the schemas, the identity caches) is one shared chunk that every entry loads,
// so an error thrown through `sales-pipelines/import` is `instanceof` the `PipelineError` of
// `sales-pipelines`, whichever format a host requires.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    'testing/vitest': 'src/testing/vitest.ts',
    import: 'src/import.ts',
    sqlite: 'src/sqlite.ts',
    postgres: 'src/postgres.ts',
    http: 'src/http.ts',
    // Not a public entry: it gives the error class a chunk of its own, so that a page bundling only
    // the HTTP client loads the error class without the core's schemas.
    errors: 'src/errors.ts',
  },
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  sourcemap: true,
  target: 'node20',
  treeshake: true,
  // The adapters' imports of the package name resolve to the core's own source (one chunk).
  esbuildOptions(options) {
    options.alias = { ...options.alias, 'sales-pipelines': './src/index.ts' };
  },
  external: ['vitest', 'fast-check', 'better-sqlite3', 'pg'],
});
