// Builds the kanban page. The page imports the library as 'sales-pipelines' and
// 'sales-pipelines/http', resolved here to the repository's sources, so the page always runs the
// code next to it. /api goes to the backend (examples/kanban/server.ts) at KANBAN_API.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Read when the config is loaded: the server script and the tests set it before starting Vite.
const api = process.env['KANBAN_API'] ?? 'http://127.0.0.1:3001';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [
      { find: /^sales-pipelines$/, replacement: fileURLToPath(new URL('../../src/index.ts', import.meta.url)) },
      { find: /^sales-pipelines\/http$/, replacement: fileURLToPath(new URL('../../src/http.ts', import.meta.url)) },
    ],
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
  server: { host: '127.0.0.1', proxy: { '/api': api } },
  preview: { host: '127.0.0.1', proxy: { '/api': api } },
});
