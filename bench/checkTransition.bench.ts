import { bench, describe } from 'vitest';
import { checkTransition } from 'sales-pipelines';
import { handCheck } from './baselines.js';
import { makeDeals, ws } from './data.js';

// 10k deals of New cars (skipping forbidden), each checked against "Quote".
const deals = makeDeals(10_000, 8);
const open = new Map([['requirements', 0], ['test-drive', 1], ['quote', 2], ['negotiation', 3]]);

describe('checkTransition: 10k deals', () => {
  bench('library: checkTransition', () => {
    for (const deal of deals) checkTransition(ws, deal, { stageId: 'quote' });
  });

  bench('baseline: hand-written skip check', () => {
    for (const deal of deals) handCheck(deal, 'quote', open);
  });
});
