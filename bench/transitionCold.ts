// applyDeal(moveToStage) against a hand-written spread in a plain Node process (no test runner
// in between): 20k deals of 8 visits each, every deal moved once per run, moving back from
// "Negotiation" to "Quote". Median of 5 runs after a warm-up of 3 runs; the moved deals of a run are
// kept until the run ends, as a host keeps what it computed.
// Run with `node --expose-gc --import tsx bench/transitionCold.ts` after `npx tsup` (part of `npm run bench`).
import { writeFileSync } from 'node:fs';
import type { Deal } from '../src/index.js';
import { spreadMove } from './baselines.js';
import { LATER, makeDeals, ws } from './data.js';

// The built package, as a host runs it (`npx tsup` first); typed by its source.
const { applyDeal } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');

const N = 20_000;
const RUNS = 5;
const quote = { probability: 60, forecastCategory: 'best_case', outcome: 'open' } as const;
const command = { type: 'moveToStage', stageId: 'quote' } as const;
const ctx = { at: LATER, by: 'manager' };

function library(deals: readonly Deal[]): Deal[] {
  const out: Deal[] = new Array(deals.length);
  for (let i = 0; i < deals.length; i++) out[i] = applyDeal(ws, deals[i]!, command, ctx).deal;
  return out;
}

function baseline(deals: readonly Deal[]): Deal[] {
  const out: Deal[] = new Array(deals.length);
  for (let i = 0; i < deals.length; i++) out[i] = spreadMove(deals[i]!, 'new-cars', 'quote', quote, LATER);
  return out;
}

const deals = makeDeals(N, 8);
const gc = (globalThis as { gc?: () => void }).gc;

/** Milliseconds of one run over the deals, after a full collection when Node exposes one. */
function once(run: (deals: readonly Deal[]) => Deal[]): number {
  gc?.();
  const start = performance.now();
  const moved = run(deals);
  const ms = performance.now() - start;
  if (moved.length !== N || moved[N - 1]!.stageId !== 'quote') throw new Error('the move did not happen');
  return ms;
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

// Warm-up: three runs of each, so that both sides run optimised code when timed.
for (let w = 0; w < 3; w++) {
  once(library);
  once(baseline);
}
const lib: number[] = [];
const base: number[] = [];
for (let r = 0; r < RUNS; r++) {
  lib.push(once(library));
  base.push(once(baseline));
}
const result = {
  deals: N, visitsPerDeal: 8, runs: RUNS,
  libraryMs: Number(median(lib).toFixed(2)), baselineMs: Number(median(base).toFixed(2)),
  ratio: Number((median(lib) / median(base)).toFixed(2)), goal: 2,
  libraryRunsMs: lib.map((x) => Number(x.toFixed(2))), baselineRunsMs: base.map((x) => Number(x.toFixed(2))),
};
console.log(result);
writeFileSync('bench/transitionCold.json', `${JSON.stringify(result, null, 2)}\n`);
