// Helpers both SQL adapters share. Type-only imports: each adapter's bundle inlines this file and
// still loads the core once, by its package name.
import type { StageVisit } from '../model/deal.js';

/** Freezes what JSON.parse made (plain objects and arrays only), all the way down. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Whether two visits differ at most in `exitedAt`: a stored row then needs only that column written. */
export function sameExceptExit(a: StageVisit, b: StageVisit): boolean {
  return (
    a.pipelineId === b.pipelineId && a.stageId === b.stageId && a.enteredAt === b.enteredAt && a.amount === b.amount &&
    a.probability === b.probability && a.expectedRevenue === b.expectedRevenue && a.closingDate === b.closingDate &&
    a.forecastCategory === b.forecastCategory && a.outcome === b.outcome && a.by === b.by && a.bypassedRules === b.bypassedRules
  );
}
