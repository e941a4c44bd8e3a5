import * as z from 'zod';
import { fail } from '../errors.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Id, Instant } from '../model/primitives.js';
import { assertDeal, assertHistory } from '../deals/shape.js';

/** Parses the options of a metric; instants may be Date, epoch ms or ISO strings. */
export function parseOptions<S extends z.ZodType>(schema: S, opts: unknown): z.output<S> {
  return parseWith(schema, opts, 'opts');
}

export const NowOptions = z.strictObject({ now: Instant });
export const WindowShape = { from: Instant, to: Instant };
export const OptionalPipeline = Id.optional();

/** Checks the deals argument of a metric: an array of deals. */
export function assertDeals(deals: unknown): asserts deals is readonly Deal[] {
  if (!Array.isArray(deals)) fail('invalid_input', 'deals: expected an array of deals', { path: 'deals' });
  deals.forEach((d, i) => {
    assertDeal(d, `deals[${i}]`);
    assertHistory(d, `deals[${i}]`);
  });
}

export function checkWindow(from: number, to: number): void {
  if (to < from) fail('invalid_input', 'opts.to: must not be before opts.from', { path: 'opts.to' });
}

/** Median of sorted numbers; the mean of the two middle values for an even count. */
export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile of sorted numbers: the value at rank ⌈p·n⌉. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export const DAY_MS = 86_400_000;

/**
 * A metric computed deal by deal: each deal added once, then the result read. The array function
 * adds every deal it is given; the service adds the stored deals page by page, so memory holds a
 * page and the tally, never the whole table. Creating one checks the options.
 */
export interface Tally<R> {
  add(deal: Deal): void;
  result(): R;
}

/** Runs a tally over an array of deals. */
export function tallied<R>(tally: Tally<R>, deals: readonly Deal[]): R {
  for (let i = 0; i < deals.length; i++) tally.add(deals[i]!);
  return tally.result();
}
