// Deterministic data for the forecast benchmarks and the backtest table: the synthetic pipeline of
// the tests (known odds and dwell times, wrong admin probabilities).
import type { Deal } from '../src/index.js';
import { syntheticDeals, syntheticWorkspace } from '../test/forecast/synthetic.js';

export const ws = syntheticWorkspace();
export const START = Date.UTC(2024, 0, 1);
export const END = Date.UTC(2026, 6, 1);

/** Deals arriving at `perWeek` from 2024-01-01, recorded as of 2026-07-01. */
export const historyOf = (perWeek: number, seed = 42): Deal[] => syntheticDeals({ start: START, end: END, perWeek, seed });

/** `count` open deals at END: the open deals of a history, repeated under new ids. */
export function openDeals(history: readonly Deal[], count: number): Deal[] {
  const open = history.filter((d) => d.history[d.history.length - 1]!.outcome === 'open');
  return Array.from({ length: count }, (_, i) => ({ ...open[i % open.length]!, id: `o${i}` }));
}
