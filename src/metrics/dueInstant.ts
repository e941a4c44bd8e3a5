import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { scopeOfDeal } from '../deals/scope.js';
import { DAY_MS } from './common.js';
import type { WorkingTime } from './calendar.js';

// Beyond this a calendar is taken to have no working time left (every weekday off).
const NEVER_MS = 400 * 365 * DAY_MS;

/** When a deal's rotting clock started and the threshold it must pass, or null if it cannot rot. */
export function rotClock(ws: Workspace, deal: Deal, byUpdate: boolean): { start: number; thresholdMs: number } | null {
  const slot = scopeOfDeal(ws, deal)?.slots.get(deal.stageId);
  if (!slot || slot.def.outcome !== 'open' || !slot.rotAfterDays) return null;
  const visit = deal.history[deal.history.length - 1]!;
  return { start: byUpdate ? Math.max(deal.updatedAt, visit.enteredAt) : visit.enteredAt, thresholdMs: slot.rotAfterDays * DAY_MS };
}

/**
 * The first whole millisecond `t` with `measure(start, t) > threshold`, or null when working time
 * never gets there. `measure(start, t)` grows with `t`, so a doubling search brackets the instant
 * and halving finds it: the answer agrees with the measure itself to the millisecond.
 */
export function firstPast(measure: WorkingTime, start: number, threshold: number, plain: boolean): number | null {
  if (plain) return start + threshold + 1;
  let lo = start;
  let step = Math.max(DAY_MS, threshold);
  while (measure(start, start + step) <= threshold) {
    lo = start + step;
    step *= 2;
    if (step > NEVER_MS) return null;
  }
  let hi = start + step;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (measure(start, mid) > threshold) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The first whole millisecond `e` with `measure(e, now) <= threshold`: a visit entered before it
 * has passed the threshold at `now`. `measure(e, now)` shrinks as `e` grows.
 */
export function rottingCutoff(measure: WorkingTime, now: number, threshold: number, plain: boolean): number {
  if (plain) return now - threshold;
  let hi = now;
  let step = Math.max(DAY_MS, threshold);
  while (measure(now - step, now) <= threshold) {
    hi = now - step;
    step *= 2;
    if (step > NEVER_MS) return -8.64e15; // nothing rots: the earliest instant a Date can hold
  }
  let lo = now - step;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (measure(mid, now) <= threshold) hi = mid;
    else lo = mid;
  }
  return hi;
}
