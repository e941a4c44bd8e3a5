import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';

const trusted = new WeakSet<object>();

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function problem(d: Record<string, unknown>): [string, string] | null {
  if (!isStr(d.id)) return ['id', 'expected a non-empty string'];
  if (!isStr(d.layoutId)) return ['layoutId', 'expected a non-empty string'];
  if (!isStr(d.stageId)) return ['stageId', 'expected a non-empty string'];
  if (d.pipelineId !== null && !isStr(d.pipelineId)) return ['pipelineId', 'expected a string or null'];
  if (!Number.isInteger(d.version) || (d.version as number) < 1) return ['version', 'expected a positive integer'];
  if (!isNum(d.createdAt) || !isNum(d.updatedAt)) return ['updatedAt', 'expected epoch milliseconds'];
  if (!isNum(d.probability)) return ['probability', 'expected a number'];
  if (d.amount !== null && !isNum(d.amount)) return ['amount', 'expected a number or null'];
  if (typeof d.fields !== 'object' || d.fields === null || Array.isArray(d.fields)) return ['fields', 'expected an object'];
  const h = d.history;
  if (!Array.isArray(h) || h.length === 0) return ['history', 'expected a non-empty array'];
  const last: unknown = h[h.length - 1];
  if (typeof last !== 'object' || last === null || !isNum((last as { enteredAt?: unknown }).enteredAt)) {
    return ['history', 'expected stage visits'];
  }
  return null;
}

/**
 * A cheap structural check of a deal handed to the reducers (full validation of every history row
 * would dominate bulk updates). Deals produced by the reducers are trusted without a check.
 */
export function assertDeal(deal: unknown, label = 'deal'): asserts deal is Deal {
  if (typeof deal === 'object' && deal !== null && trusted.has(deal)) return;
  if (typeof deal !== 'object' || deal === null || Array.isArray(deal)) {
    throw new PipelineError('invalid_input', `${label}: expected a deal object`, { path: label });
  }
  const p = problem(deal as Record<string, unknown>);
  if (p) throw new PipelineError('invalid_input', `${label}.${p[0]}: ${p[1]}`, { path: `${label}.${p[0]}` });
}

/** Marks a deal produced by an accepted command as well-formed. */
export function trustDeal(deal: Deal): void {
  trusted.add(deal);
}
