import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Adapters import the core by its package name, as they do once built (tsconfig paths for tsc).
  resolve: {
    alias: [
      { find: /^sales-pipelines$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      // Every other entry point, 'sales-pipelines/x', is src/x.ts (examples import them by name).
      { find: /^sales-pipelines\/(.+)$/, replacement: fileURLToPath(new URL('./src/$1.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests run hundreds of scenarios: generous on a busy 2-core machine.
    testTimeout: 30_000,
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
