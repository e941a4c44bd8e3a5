// Builds the kanban page. The page imports the library as 'sales-pipelines', resolved here to
// the repository's sources, so the page always runs the code next to it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: { 'sales-pipelines': fileURLToPath(new URL('../../src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      // zod ships comments that Rollup reads as misplaced /* @__PURE__ */ annotations; harmless.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
