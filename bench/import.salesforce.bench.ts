import { deepStrictEqual } from 'node:assert';
import { bench, describe } from 'vitest';
import { fromSalesforce } from 'sales-pipelines/import';
import { handSalesforce } from './importBaselinesCrm.js';
import { salesforcePayload } from './importDataCrm.js';

// 100k opportunities x 8 OpportunityHistory rows, with two sales processes.
const payload = salesforcePayload(100_000, 8);
// Both build the same deals: checked once, outside the timing.
deepStrictEqual(fromSalesforce(payload).deals, handSalesforce(payload));

describe('import salesforce: 100k opportunities x 8 history rows', () => {
  bench('library: fromSalesforce', () => {
    fromSalesforce(payload);
  }, { time: 0, iterations: 3, warmupIterations: 1, warmupTime: 0 });

  bench('baseline: hand-written importer', () => {
    handSalesforce(payload);
  }, { time: 0, iterations: 3, warmupIterations: 1, warmupTime: 0 });
});
