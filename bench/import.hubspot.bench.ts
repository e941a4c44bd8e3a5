import { deepStrictEqual } from 'node:assert';
import { bench, describe } from 'vitest';
import { fromHubSpot } from 'sales-pipelines/import';
import { handHubSpot } from './importBaselines.js';
import { hubDeals, hubPipelines } from './importData.js';

// 100k HubSpot deals, 8 dealstage entries each (revisits included), parsed from JSON as a host
// receives them. The hand-written importer builds the same deals (checked once, untimed).
const payload = JSON.parse(JSON.stringify({ pipelines: hubPipelines, deals: hubDeals(100_000) })) as { pipelines: unknown; deals: unknown[] };
deepStrictEqual(fromHubSpot(payload).deals, handHubSpot(payload));

describe('import: fromHubSpot, 100k deals x 8 stage entries', () => {
  bench('library: fromHubSpot', () => {
    fromHubSpot(payload);
  }, { time: 3000, iterations: 3, warmupIterations: 1 });

  bench('baseline: hand-written importer of the same deals', () => {
    handHubSpot(payload);
  }, { time: 3000, iterations: 3, warmupIterations: 1 });
});
