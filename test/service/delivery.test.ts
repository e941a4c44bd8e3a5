import { createMemoryRepositories } from '../../src/index.js';
import { deliverySuite } from './deliverySuite.js';

deliverySuite('memory', () => createMemoryRepositories());
