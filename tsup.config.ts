import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', 'testing/vitest': 'src/testing/vitest.ts' },
  sourcemap: true,
  target: 'node20',
  treeshake: true,
  external: ['vitest', 'fast-check'],
};

export default defineConfig([
  { ...shared, format: ['esm'], dts: true },
  { ...shared, format: ['cjs'], dts: true },
]);
