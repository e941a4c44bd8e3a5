import { bench, describe } from 'vitest';
import { checkTransition } from 'sales-pipelines';
import { handCheck, type HandPipeline } from './baselines.js';
import { makeDeals, ws } from './data.js';

// 10k deals of New cars (skipping forbidden), each checked against "Quote".
const deals = makeDeals(10_000, 8);
// New cars as the hand-written check sees it, prepared once.
const newCars: HandPipeline = {
  slots: new Map([
    ['requirements', { openPosition: 0, outcome: 'open', required: [] }],
    ['test-drive', { openPosition: 1, outcome: 'open', required: [] }],
    ['quote', { openPosition: 2, outcome: 'open', required: ['amount'] }],
    ['negotiation', { openPosition: 3, outcome: 'open', required: ['amount', 'closingDate'] }],
    ['won', { openPosition: -1, outcome: 'won', required: [] }],
    ['lost', { openPosition: -1, outcome: 'lost', required: [] }],
  ]),
  openCount: 4, allowSkip: false, allowBackward: true, allowReopen: true, requireLostReason: true,
};

describe('checkTransition: 10k deals', () => {
  bench('library: checkTransition', () => {
    for (const deal of deals) checkTransition(ws, deal, { stageId: 'quote' });
  });

  bench('baseline: hand-written rule check', () => {
    for (const deal of deals) handCheck(deal, 'quote', newCars);
  });
});
