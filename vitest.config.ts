import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Adapters import the core by its package name, as they do once built (tsconfig paths for tsc).
  resolve: {
    alias: [
      { find: /^sales-pipelines$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^sales-pipelines\/http$/, replacement: fileURLToPath(new URL('./src/http.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests run hundreds of scenarios: generous on a busy 2-core machine.
    testTimeout: 30_000,
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
