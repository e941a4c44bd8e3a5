import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import { MAX_AMOUNT } from '../model/primitives.js';

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStrOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
/** An amount as the Amount schema has it: finite and within MAX_AMOUNT, so that expected revenue stays finite. */
const isAmount = (v: unknown): boolean => isNum(v) && Math.abs(v) <= MAX_AMOUNT;

function problem(d: Record<string, unknown>): [string, string] | null {
  if (!isStr(d.id)) return ['id', 'expected a non-empty string'];
  if (!isStr(d.layoutId)) return ['layoutId', 'expected a non-empty string'];
  if (!isStr(d.stageId)) return ['stageId', 'expected a non-empty string'];
  if (d.pipelineId !== null && !isStr(d.pipelineId)) return ['pipelineId', 'expected a string or null'];
  if (!Number.isSafeInteger(d.version) || !((d.version as number) >= 1)) return ['version', 'expected a positive integer'];
  if (!isNum(d.createdAt)) return ['createdAt', 'expected epoch milliseconds'];
  if (!isNum(d.updatedAt)) return ['updatedAt', 'expected epoch milliseconds'];
  // Numbers are numbers: a NUMERIC column read back as the string '1000' would concatenate.
  if (d.amount !== null && !isAmount(d.amount)) return ['amount', `expected a number from -${MAX_AMOUNT} to ${MAX_AMOUNT}, or null`];
  if (!isNum(d.probability)) return ['probability', 'expected a finite number'];
  if (!isStrOrNull(d.currency)) return ['currency', 'expected a string or null'];
  if (!isStrOrNull(d.closingDate)) return ['closingDate', 'expected a string or null'];
  if (!isStrOrNull(d.lostReason)) return ['lostReason', 'expected a string or null'];
  if (!isStrOrNull(d.ownerId)) return ['ownerId', 'expected a string or null'];
  if (typeof d.fields !== 'object' || d.fields === null) return ['fields', 'expected an object'];
  const h = d.history;
  if (!Array.isArray(h) || h.length === 0) return ['history', 'expected a non-empty array'];
  // The reducers read and copy the open visit; the metrics check every visit (assertHistory).
  if (!isVisit(h[h.length - 1])) return [`history[${h.length - 1}]`, 'expected a stage visit'];
  return null;
}

/** Whether `value` has the fields of a stage visit the library reads, with numbers as numbers. */
function isVisit(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isNum(v.enteredAt) && typeof v.stageId === 'string' && (v.exitedAt === null || isNum(v.exitedAt)) &&
    (v.pipelineId === null || typeof v.pipelineId === 'string') && (v.amount === null || isAmount(v.amount)) &&
    isNum(v.probability) && (v.expectedRevenue === null || isAmount(v.expectedRevenue))
  );
}

/**
 * A cheap structural check of a deal handed to the reducers (full validation of every history row
 * would dominate bulk updates). It costs less than remembering which deals were checked.
 */
export function assertDeal(deal: unknown, label = 'deal', index?: number): asserts deal is Deal {
  // `index`: the deal is `label[index]`, a label only spelled out when the deal is refused.
  if (typeof deal !== 'object' || deal === null || Array.isArray(deal)) {
    const at = index === undefined ? label : `${label}[${index}]`;
    throw new PipelineError('invalid_input', `${at}: expected a deal object`, { path: at });
  }
  const p = problem(deal as Record<string, unknown>);
  if (p) {
    const at = index === undefined ? label : `${label}[${index}]`;
    throw new PipelineError('invalid_input', `${at}.${p[0]}: ${p[1]}`, { path: `${at}.${p[0]}` });
  }
}


/** Checks every stage visit of a deal, for functions that walk the whole history (metrics). */
export function assertHistory(deal: Deal, label = 'deal'): void {
  const h = deal.history;
  for (let i = 0; i < h.length; i++) {
    if (!isVisit(h[i])) throw new PipelineError('invalid_input', `${label}.history[${i}]: expected a stage visit`, { path: `${label}.history[${i}]` });
  }
}
