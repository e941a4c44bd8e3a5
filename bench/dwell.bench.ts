import { bench, describe } from 'vitest';
import { dwellStats } from 'sales-pipelines';
import { singlePassDwell } from './baselines.js';
import { LATER, makeDeals } from './data.js';

// 125k deals x 8 visits = 1M visits.
const deals = makeDeals(125_000, 8);

describe('dwell: dwellStats over 1M visits', () => {
  bench('library: dwellStats', () => {
    dwellStats(deals, { now: LATER });
  }, { time: 4000, warmupIterations: 2 });

  bench('baseline: hand-written single pass', () => {
    singlePassDwell(deals);
  }, { time: 4000, warmupIterations: 2 });
});
