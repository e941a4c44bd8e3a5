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

// One long deal: 40k events. Replay must stay linear in the number of events.
const [long] = makeEvents(1, 39_999);

describe('replay: replayDeal over one deal with 40k events', () => {
  bench('library: replayDeal (one deal, 40k events)', () => {
    replayDeal(long!);
  }, { time: 4000, warmupIterations: 1 });

  bench('baseline: hand-written fold (one deal, 40k events)', () => {
    foldEvents(long!);
  }, { time: 4000, warmupIterations: 1 });
});
