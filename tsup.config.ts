import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', import: 'src/import.ts' },
  sourcemap: true,
  target: 'node20',
  treeshake: true,
  external: ['vitest', 'fast-check'],
};

// vitest cannot be require()d: the CommonJS build gets a stand-in that explains this when used.
const vitestStandIn = {
  name: 'vitest-stand-in-for-cjs',
  setup(build: { onResolve(o: { filter: RegExp }, cb: () => { path: string }): void }) {
    build.onResolve({ filter: /\/vitestApi\.js$/ }, () => ({ path: fileURLToPath(new URL('./src/testing/vitestApiCjs.ts', import.meta.url)) }));
  },
};

export default defineConfig([
  { ...shared, format: ['esm'], dts: true },
  { ...shared, format: ['cjs'], dts: true, esbuildPlugins: [vitestStandIn] },
]);
