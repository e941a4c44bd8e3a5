// Helpers both SQL adapters share: row comparisons, and the reads they remember. Type-only imports: each adapter's bundle inlines this file and
// still loads the core once, by its package name.
import type { Deal, StageVisit } from '../model/deal.js';

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

/**
 * One read of a deal: its id, the version and layout read, and its visits (frozen) as stored at
 * that version from position `start` on (0 for a whole history, more for a tail).
 */
export interface DealRead {
  readonly id: string;
  readonly version: number;
  readonly layoutId: string;
  readonly start: number;
  readonly visits: readonly StageVisit[];
}

type ReadDeal = Pick<Deal, 'id' | 'version' | 'layoutId' | 'history'>;

/** Freezes a deal's visits and makes its read, as stored at the deal's version from position `start` on. */
function freezeRead(deal: ReadDeal, start: number): DealRead {
  const h = deal.history;
  for (let i = 0; i < h.length; i++) Object.freeze(h[i]);
  return { id: deal.id, version: deal.version, layoutId: deal.layoutId, start, visits: h.slice() };
}

/**
 * Freezes a deal's visits and remembers them in `known`, by the first, as stored at the deal's
 * version. Returns the read, or undefined for an empty history.
 */
export function rememberRead(known: WeakMap<StageVisit, DealRead>, deal: ReadDeal): DealRead | undefined {
  const read = freezeRead(deal, 0);
  if (read.visits.length === 0) return undefined;
  known.set(read.visits[0]!, read);
  return read;
}

/** How many tail reads a repositories object remembers by deal id (oldest out first). */
export const TAIL_READS = 16_384;

/**
 * Freezes a tail's visits and remembers them in `tails`, by deal id, as stored at the deal's
 * version from position `start` on (dropping the oldest read when full). Tails are looked up by
 * id, not by their first visit: a move closes that visit, so the saved history starts with a new
 * object.
 */
export function rememberTail(tails: Map<string, DealRead>, deal: ReadDeal, start: number): void {
  const read = freezeRead(deal, start);
  if (tails.has(read.id)) tails.delete(read.id);
  else if (tails.size >= TAIL_READS) tails.delete(tails.keys().next().value!);
  tails.set(read.id, read);
}

/** The read `known` holds for a deal handed to a save (not checked yet) by its first visit, when it is this deal's. */
export function knownRead(known: WeakMap<StageVisit, DealRead>, deal: unknown): DealRead | undefined {
  const d = deal as { id?: unknown; history?: unknown } | null;
  const first: unknown = typeof d === 'object' && d !== null && Array.isArray(d.history) ? d.history[0] : undefined;
  if (typeof first !== 'object' || first === null) return undefined;
  const read = known.get(first as StageVisit);
  return read && read.id === d!.id ? read : undefined;
}

