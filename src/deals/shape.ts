import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function problem(d: Record<string, unknown>): [string, string] | null {
  if (!isStr(d.id)) return ['id', 'expected a non-empty string'];
  if (!isStr(d.layoutId)) return ['layoutId', 'expected a non-empty string'];
  if (!isStr(d.stageId)) return ['stageId', 'expected a non-empty string'];
  if (d.pipelineId !== null && !isStr(d.pipelineId)) return ['pipelineId', 'expected a string or null'];
  if (typeof d.version !== 'number' || !(d.version >= 1)) return ['version', 'expected a positive integer'];
  if (typeof d.updatedAt !== 'number' || typeof d.createdAt !== 'number') return ['updatedAt', 'expected epoch milliseconds'];
  if (typeof d.fields !== 'object' || d.fields === null) return ['fields', 'expected an object'];
  const h = d.history;
  if (!Array.isArray(h) || h.length === 0) return ['history', 'expected a non-empty array'];
  const last: unknown = h[h.length - 1];
  if (typeof last !== 'object' || last === null) return ['history', 'expected stage visits'];
  return null;
}

/**
 * A cheap structural check of a deal handed to the reducers (full validation of every history row
 * would dominate bulk updates). It costs less than remembering which deals were checked.
 */
export function assertDeal(deal: unknown, label = 'deal'): asserts deal is Deal {
  if (typeof deal !== 'object' || deal === null || Array.isArray(deal)) {
    throw new PipelineError('invalid_input', `${label}: expected a deal object`, { path: label });
  }
  const p = problem(deal as Record<string, unknown>);
  if (p) throw new PipelineError('invalid_input', `${label}.${p[0]}: ${p[1]}`, { path: `${label}.${p[0]}` });
}


/** Checks every stage visit of a deal, for functions that walk the whole history (metrics). */
export function assertHistory(deal: Deal, label = 'deal'): void {
  const h = deal.history;
  for (let i = 0; i < h.length; i++) {
    const v = h[i] as unknown as Record<string, unknown> | null;
    const ok =
      typeof v === 'object' && v !== null && typeof v.enteredAt === 'number' && typeof v.stageId === 'string' &&
      (v.exitedAt === null || typeof v.exitedAt === 'number') && (v.pipelineId === null || typeof v.pipelineId === 'string');
    if (!ok) throw new PipelineError('invalid_input', `${label}.history[${i}]: expected a stage visit`, { path: `${label}.history[${i}]` });
  }
}
