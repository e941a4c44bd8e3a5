import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import { Instant } from '../model/primitives.js';
import { parseWith } from '../model/parse.js';
import { assertDeal, assertHistory } from '../deals/shape.js';
import { NowOptions, parseOptions } from './common.js';

/**
 * A deal's dwell in one stage of one pipeline: how often it entered the stage, and how long it
 * stayed there on its latest visit and over all of them. One row of {@link timeInStages}.
 *
 * @example
 * ```ts
 * timeInStages(deal, { now }).filter((t: StageDwell) => t.visits > 1); // stages the deal came back to
 * ```
 * @category Metrics
 */
export interface StageDwell {
  readonly pipelineId: string | null;
  readonly stageId: string;
  /** How many times the deal entered the stage. */
  readonly visits: number;
  readonly firstEnteredAt: number;
  readonly lastEnteredAt: number;
  /** When the most recent visit ended; null while the deal is still there. */
  readonly lastExitedAt: number | null;
  /** Duration of the most recent visit (up to `now` when it is open). */
  readonly latestMs: number;
  /** Sum of all visits (the open one up to `now`). */
  readonly cumulativeMs: number;
  /** Whether the deal is in this stage now. */
  readonly current: boolean;
}

/**
 * The former name of {@link StageDwell}: the same type.
 *
 * @deprecated use `StageDwell` (the time a deal spends in a stage is its dwell, in every name);
 * this alias goes in the next minor version.
 * @example
 * ```ts
 * const rows: StageTime[] = timeInStages(deal, { now }); // write StageDwell[]
 * ```
 * @category Metrics
 */
export type StageTime = StageDwell;

/**
 * A deal's dwell per (pipeline, stage): latest and cumulative, as HubSpot's "Latest time in" and
 * "Cumulative time in" properties, in order of first entry. Revisits add up; an open visit
 * counts up to `now` (never negative).
 *
 * @param deal - the deal
 * @param opts - `{ now }`
 * @returns one row per (pipeline, stage) the deal visited
 * @example
 * ```ts
 * // entered quote on day 0, left day 2, came back day 5, still there on day 6
 * timeInStages(deal, { now: day6 }).find((r) => r.stageId === 'quote');
 * // { visits: 2, latestMs: 1 day, cumulativeMs: 3 days, current: true, lastExitedAt: null, ... }
 * ```
 * @category Metrics
 * @function
 */
export const timeInStages = /* @__PURE__ */ guarded(function timeInStages(deal: Deal, opts: { now: Date | number | string }): StageDwell[] {
  assertDeal(deal);
  assertHistory(deal);
  const { now } = parseOptions(NowOptions, opts);
  const rows = new Map<string, { -readonly [K in keyof StageDwell]: StageDwell[K] }>();
  for (const v of deal.history) {
    const ms = Math.max(0, (v.exitedAt ?? now) - v.enteredAt);
    const key = `${v.pipelineId ?? ''}\u0000${v.stageId}`;
    const row = rows.get(key);
    const open = v.exitedAt === null;
    if (!row) {
      rows.set(key, {
        pipelineId: v.pipelineId,
        stageId: v.stageId,
        visits: 1,
        firstEnteredAt: v.enteredAt,
        lastEnteredAt: v.enteredAt,
        lastExitedAt: v.exitedAt,
        latestMs: ms,
        cumulativeMs: ms,
        current: open,
      });
    } else {
      row.visits++;
      row.lastEnteredAt = v.enteredAt;
      row.lastExitedAt = v.exitedAt;
      row.latestMs = ms;
      row.cumulativeMs += ms;
      row.current = open;
    }
  }
  return [...rows.values()];
}, ['deal', 'opts']);

/**
 * Where a deal was at an instant ("time travel" over its history). Visits are half-open
 * `[enteredAt, exitedAt)`: at the instant of a move the deal is already in the new stage.
 *
 * @param deal - the deal
 * @param instant - a Date, epoch ms or ISO string
 * @returns `{ pipelineId, stageId }`, or null before the deal was created
 * @example
 * ```ts
 * stageAt(deal, '2026-03-03T12:00:00Z'); // { pipelineId: 'new-cars', stageId: 'test-drive' }
 * stageAt(deal, 0); // null
 * ```
 * @category Metrics
 * @function
 */
export const stageAt = /* @__PURE__ */ guarded(function stageAt(deal: Deal, instant: Date | number | string): { pipelineId: string | null; stageId: string } | null {
  assertDeal(deal);
  assertHistory(deal);
  const t = parseWith(Instant, instant, 'instant');
  const h = deal.history;
  let lo = 0;
  let hi = h.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (h[mid]!.enteredAt <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const v = h[found];
  if (!v || (v.exitedAt !== null && t >= v.exitedAt)) return null;
  return { pipelineId: v.pipelineId, stageId: v.stageId };
}, ['deal', 'instant']);

