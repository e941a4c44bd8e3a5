import { defineConfig } from 'vitest/config';

// Benchmarks measure what hosts run: the built package (`dist/`), loaded by Node itself. Without
// this, `sales-pipelines` would resolve to the TypeScript sources through vitest's module
// transform, which turns every call across modules into a property read through a getter.
export default defineConfig({
  test: {
    benchmark: { include: ['bench/**/*.bench.ts'] },
    server: { deps: { external: [/\/dist\//] } },
  },
});
