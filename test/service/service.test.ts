import { createMemoryRepositories } from '../../src/index.js';
import { serviceSuite } from './serviceSuite.js';

serviceSuite('memory', () => createMemoryRepositories());
