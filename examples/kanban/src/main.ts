// Boots the page: the service over the in-memory store, seeded, then the board.
import { startKanban } from './app.js';
import { createBackend } from './seed.js';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  const backend = await createBackend();
  // The service is on window.kanban for the browser console (and for tests that play a second user).
  Object.assign(window, { kanban: backend });
  const perStage = Number(new URLSearchParams(location.search).get('perStage') ?? 20);
  await startKanban(root, backend, Number.isInteger(perStage) && perStage > 0 && perStage <= 500 ? perStage : 20);
  root.dataset['ready'] = 'true';
}
