import { bench, describe } from 'vitest';
import { replayDeal } from 'sales-pipelines';
import { foldEvents } from './baselines.js';
import { makeEvents } from './data.js';

// 125k deals x 8 events = 1M events.
const streams = makeEvents(125_000, 7);

describe('replay: replayDeal over 1M events', () => {
  bench('library: replayDeal', () => {
    for (const events of streams) replayDeal(events);
  }, { time: 4000, warmupIterations: 2 });

  bench('baseline: hand-written fold', () => {
    for (const events of streams) foldEvents(events);
  }, { time: 4000, warmupIterations: 2 });
});
