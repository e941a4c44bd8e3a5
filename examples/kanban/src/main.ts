// Boots the page: a client of the backend's HTTP API (examples/kanban/server.ts), then the board.
import { createHttpClient } from 'sales-pipelines/http';
import { startKanban, USER } from './app.js';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  // Who acts: the backend reads it from this header (a real host: its session cookie or token).
  const client = createHttpClient(new URL('api', location.href).href, { headers: { 'x-user': USER } });
  // The client is on window.kanban for the browser console.
  Object.assign(window, { kanban: { client } });
  const params = new URLSearchParams(location.search);
  const perStage = Number(params.get('perStage') ?? 20);
  const bulkChunk = Number(params.get('bulkChunk') ?? 25);
  await startKanban(root, client, {
    perStage: Number.isInteger(perStage) && perStage > 0 && perStage <= 500 ? perStage : 20,
    bulkChunk: Number.isInteger(bulkChunk) && bulkChunk > 0 ? bulkChunk : 25,
  });
  root.dataset['ready'] = 'true';
}
