import { deepStrictEqual } from 'node:assert';
import { bench, describe } from 'vitest';
import { fromZoho } from 'sales-pipelines/import';
import { handZoho } from './importBaselinesCrm.js';
import { ZOHO_LAYOUT, zohoPayload } from './importDataCrm.js';

// 100k deals x 8 DealHistory rows (one flat COQL list), in three pipelines.
const payload = zohoPayload(100_000, 8);
// Both build the same deals: checked once, outside the timing.
deepStrictEqual(fromZoho(payload).deals, handZoho(payload, ZOHO_LAYOUT));

describe('import zoho: 100k deals x 8 history rows', () => {
  bench('library: fromZoho', () => {
    fromZoho(payload);
  }, { time: 0, iterations: 3, warmupIterations: 1, warmupTime: 0 });

  bench('baseline: hand-written importer', () => {
    handZoho(payload, ZOHO_LAYOUT);
  }, { time: 0, iterations: 3, warmupIterations: 1, warmupTime: 0 });
});
