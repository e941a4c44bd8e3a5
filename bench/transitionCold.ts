// applyDeal(moveToStage) against a hand-written spread in a plain Node process (no test runner
// in between): 20k deals of 8 visits each, every deal moved once per run, moving back from
// "Negotiation" to "Quote". A run keeps its moved deals until the next run replaces them, as a host
// keeps a batch it computed until the next one.
//
// Two conditions, both printed and written to bench/transitionCold.json:
// - steady (the goal): each side runs in a block of 3 warm-up runs then 5 timed runs back to back, as
//   a host runs batch after batch, so each side pays for the collections its own allocation causes.
//   The blocks run twice, the library's first and then the spread's first; a side's time is the
//   median of its 10 timed runs.
// - afterCollection: a forced full collection before every run, the sides interleaved, median of 5
//   after 3 warm-up runs each. The spread's 20k moved deals (16 MB) just fit in a freshly emptied
//   young generation and are dropped before any collection, so its run never pays for keeping
//   them; the library's moved deals, which V8 allocates in the old generation once it has seen them
//   survive, pay for fresh pages. The ratio shows how much: it swings from run to run.
// Run with `node --expose-gc --import tsx bench/transitionCold.ts` after `npx tsup` (part of `npm run bench`).
import { writeFileSync } from 'node:fs';
import type { Deal } from '../src/index.js';
import { spreadMove } from './baselines.js';
import { LATER, makeDeals, ws } from './data.js';

// The built package, as a host runs it (`npx tsup` first); typed by its source.
const { applyDeal } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');

const N = 20_000;
const WARM_UP = 3;
const RUNS = 5;
const quote = { probability: 60, forecastCategory: 'best_case', outcome: 'open' } as const;
const command = { type: 'moveToStage', stageId: 'quote' } as const;
const ctx = { at: LATER, by: 'manager' };

type Run = (deals: readonly Deal[]) => Deal[];

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
/** The moved deals of the latest run, kept until the next run replaces them. */
let kept: Deal[] = [];

/** Milliseconds of one run over the deals. */
function timed(run: Run): number {
  const start = performance.now();
  kept = run(deals);
  const ms = performance.now() - start;
  if (kept.length !== N || kept[N - 1]!.stageId !== 'quote') throw new Error('the move did not happen');
  return ms;
}

/** One side's block in the steady condition: warm-up runs, then timed runs back to back. */
function block(run: Run): number[] {
  gc?.();
  for (let w = 0; w < WARM_UP; w++) timed(run);
  return Array.from({ length: RUNS }, () => timed(run));
}

/** One run after a forced full collection, with nothing kept from the run before. */
function afterCollection(run: Run): number {
  kept = [];
  gc?.();
  return timed(run);
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const ms = (x: number): number => Number(x.toFixed(2));

function summary(lib: number[], base: number[]) {
  return {
    libraryMs: ms(median(lib)), baselineMs: ms(median(base)), ratio: ms(median(lib) / median(base)),
    libraryRunsMs: lib.map(ms), baselineRunsMs: base.map(ms),
  };
}

const steadyLib = block(library);
const steadyBase = block(baseline);
steadyBase.push(...block(baseline));
steadyLib.push(...block(library));

for (let w = 0; w < WARM_UP; w++) {
  afterCollection(library);
  afterCollection(baseline);
}
const collectedLib: number[] = [];
const collectedBase: number[] = [];
for (let r = 0; r < RUNS; r++) {
  collectedLib.push(afterCollection(library));
  collectedBase.push(afterCollection(baseline));
}

const steady = summary(steadyLib, steadyBase);
const result = {
  deals: N, visitsPerDeal: 8, goal: 2, measuredOn: new Date().toISOString().slice(0, 10),
  // The goal row: the steady condition.
  libraryMs: steady.libraryMs, baselineMs: steady.baselineMs, ratio: steady.ratio,
  steady,
  afterCollection: summary(collectedLib, collectedBase),
};
console.log(JSON.stringify(result));
writeFileSync('bench/transitionCold.json', `${JSON.stringify(result, null, 2)}\n`);
