import { deepStrictEqual } from 'node:assert';
import { bench, describe } from 'vitest';
import { fromPipedrive } from 'sales-pipelines/import';
import { handPipedrive } from './importBaselines.js';
import { pdConfig, pdDeals } from './importData.js';

// 100k Pipedrive v1 deals with their flows (8 stages and a value change each), parsed from JSON.
// The hand-written importer builds the same deals (checked once, untimed).
const payload = JSON.parse(JSON.stringify({ ...pdConfig, ...pdDeals(100_000) })) as { pipelines: unknown; stages: unknown; deals: unknown[]; flows: Record<string, unknown> };
deepStrictEqual(fromPipedrive(payload).deals, handPipedrive(payload));

describe('import: fromPipedrive, 100k deals with flows', () => {
  bench('library: fromPipedrive', () => {
    fromPipedrive(payload);
  }, { time: 3000, iterations: 3, warmupIterations: 1 });

  bench('baseline: hand-written importer of the same deals', () => {
    handPipedrive(payload);
  }, { time: 3000, iterations: 3, warmupIterations: 1 });
});
