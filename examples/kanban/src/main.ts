// Boots the page: the service over the in-memory store, seeded, then the board.
import { startKanban } from './app.js';
import { createBackend } from './seed.js';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  const backend = await createBackend();
  await startKanban(root, backend);
  root.dataset['ready'] = 'true';
}
