import { createMemoryRepositories } from '../../src/index.js';
import { inUseSuite } from './inUseSuite.js';

inUseSuite('memory', () => createMemoryRepositories());
