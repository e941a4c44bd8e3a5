import { PipelineError } from '../errors.js';

/** The most closed stages a funnel query counts: each needs its own bit of a safe integer. */
export const MAX_FUNNEL_CLOSED_STAGES = 52;

function bad(key: string, what: string): never {
  throw new PipelineError('invalid_input', `query.${key}: ${what}`, { path: `query.${key}` });
}

// Bits 2^0 .. 2^51: their sum stays a safe integer.
const isBit = (b: unknown): boolean => typeof b === 'number' && b >= 1 && b <= 2 ** (MAX_FUNNEL_CLOSED_STAGES - 1) && Number.isInteger(Math.log2(b));

/**
 * One stage a {@link FunnelQuery} counts: an open stage raises a deal's reach to `rank` (its
 * position among the pipeline's open stages; a won stage's rank is the number of open stages); a
 * closed stage (won or lost) sets `bit`, a distinct power of two, in the deal's `closed` mask
 * (0 for an open stage). A lost stage has `rank: null`.
 *
 * @example
 * ```ts
 * const won: FunnelStageKey = { stageId: 'won', rank: 4, bit: 1 };
 * ```
 * @category Storage
 */
export interface FunnelStageKey {
  readonly stageId: string;
  readonly rank: number | null;
  readonly bit: number;
}

/**
 * What {@link VisitRepository.funnel} is asked: a pipeline, its stages' keys (stages not listed
 * do not count) and an optional period, half-open, in epoch milliseconds.
 *
 * @example
 * ```ts
 * const q: FunnelQuery = { pipelineId: 'new-cars', stages: [{ stageId: 'qualify', rank: 0, bit: 0 }], from: Date.parse('2026-01-01T00:00:00Z') };
 * ```
 * @category Storage
 */
export interface FunnelQuery {
  readonly pipelineId: string;
  readonly stages: readonly FunnelStageKey[];
  readonly from?: number;
  readonly to?: number;
}

/**
 * How many deals of a funnel's cohort share a reach (the highest rank entered, -1 for none) and
 * a mask of closed stages entered.
 *
 * @example
 * ```ts
 * const g: FunnelGroup = { reach: 2, closed: 0, deals: 17 };
 * ```
 * @category Storage
 */
export interface FunnelGroup {
  readonly reach: number;
  readonly closed: number;
  readonly deals: number;
}

/**
 * A {@link FunnelQuery} checked: `pipelineId` a non-empty string, the bounds epoch milliseconds
 * with `to` not before `from`, each stage listed once with a rank (an integer of at least 0, or
 * null) and a bit (0, or a power of two below 2^52 used by no other stage). For stores' `visits.funnel`.
 */
export function checkFunnelQuery(q: FunnelQuery): FunnelQuery {
  if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'query: expected { pipelineId, stages, from?, to? }', { path: 'query' });
  if (typeof q.pipelineId !== 'string' || q.pipelineId.length === 0) bad('pipelineId', 'expected a non-empty string');
  for (const key of ['from', 'to'] as const) {
    const v = q[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v))) bad(key, 'expected epoch milliseconds');
  }
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) bad('to', 'expected an instant not before from');
  if (!Array.isArray(q.stages)) bad('stages', 'expected an array of { stageId, rank, bit }');
  const ids = new Set<string>();
  let bits = 0;
  q.stages.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) bad(`stages.${i}`, 'expected { stageId, rank, bit }');
    if (typeof s.stageId !== 'string' || s.stageId.length === 0 || ids.has(s.stageId)) bad(`stages.${i}.stageId`, 'expected a non-empty stage id listed once');
    ids.add(s.stageId);
    if (s.rank !== null && !(Number.isSafeInteger(s.rank) && s.rank >= 0)) bad(`stages.${i}.rank`, 'expected an integer of at least 0, or null');
    if (s.bit !== 0) {
      if (!isBit(s.bit) || bits % (s.bit * 2) >= s.bit) bad(`stages.${i}.bit`, `expected 0 or a power of two below 2^${MAX_FUNNEL_CLOSED_STAGES} no other stage uses`);
      bits += s.bit;
    }
  });
  return q;
}

/**
 * The definition of `visits.funnel`, for stores that count in JavaScript: add each deal's
 * visits in history order, then read the groups.
 */
export class FunnelGroups {
  private readonly ranks = new Map<string, number | null>();
  private readonly bits = new Map<string, number>();
  private readonly counts = new Map<string, [reach: number, closed: number, deals: number]>();
  private readonly from: number;
  private readonly to: number;

  constructor(private readonly q: FunnelQuery) {
    for (const s of q.stages) {
      this.ranks.set(s.stageId, s.rank);
      this.bits.set(s.stageId, s.bit);
    }
    this.from = q.from ?? -Infinity;
    this.to = q.to ?? Infinity;
  }

  /** One deal's visits, in history order. */
  add(visits: readonly { readonly pipelineId: string | null; readonly stageId: string; readonly enteredAt: number }[]): void {
    let first: number | undefined;
    let reach = -1;
    let closed = 0;
    for (const v of visits) {
      if (v.pipelineId !== this.q.pipelineId || !(v.enteredAt < this.to)) continue;
      first ??= v.enteredAt;
      if (!this.ranks.has(v.stageId)) continue;
      const rank = this.ranks.get(v.stageId)!;
      if (rank !== null && rank > reach) reach = rank;
      const bit = this.bits.get(v.stageId)!;
      // Adds the bit once: closed < 2^53, so the test is exact.
      if (bit !== 0 && closed % (bit * 2) < bit) closed += bit;
    }
    if (first === undefined || first < this.from) return;
    const key = `${reach}:${closed}`;
    const c = this.counts.get(key);
    if (c) c[2]++;
    else this.counts.set(key, [reach, closed, 1]);
  }

  rows(): FunnelGroup[] {
    return [...this.counts.values()].map(([reach, closed, deals]) => ({ reach, closed, deals }));
  }
}
