import { tzOffset } from '@date-fns/tz/tzOffset';

/** A change of a zone's UTC offset: from `at` on, the offset is `offset` ms. */
export interface OffsetChange {
  readonly at: number;
  readonly offset: number;
}

interface Block {
  readonly offset: number;
  readonly change: OffsetChange | null;
}

// Offsets are sampled every 2^29 ms (about 6.2 days): zones change their offset at most twice a
// year and never twice within a week, so a block holds at most one change, found by bisection.
const BLOCK_BITS = 29;
const BLOCK = 2 ** BLOCK_BITS;

/** Whether the runtime knows `timeZone` (an IANA name such as `'Europe/Berlin'`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The UTC offsets of one time zone, read from the runtime's time zone data (through
 * `@date-fns/tz`) once per block of about six days and remembered, so that the many instants a
 * metric asks about cost a lookup each.
 */
export class ZoneTimeline {
  private readonly blocks = new Map<number, Block>();
  constructor(private readonly timeZone: string) {}

  /** The offset (ms, local minus UTC) in force at instant `t`. */
  offsetAt(t: number): number {
    const b = this.block(Math.floor(t / BLOCK));
    return b.change !== null && t >= b.change.at ? b.change.offset : b.offset;
  }

  /** The offset changes at instants in (`from`, `to`], oldest first. */
  changesBetween(from: number, to: number): OffsetChange[] {
    const out: OffsetChange[] = [];
    for (let k = Math.floor(from / BLOCK); k * BLOCK <= to; k++) {
      const c = this.block(k).change;
      if (c !== null && c.at > from && c.at <= to) out.push(c);
    }
    return out;
  }

  private block(k: number): Block {
    let b = this.blocks.get(k);
    if (b === undefined) {
      const start = k * BLOCK;
      const offset = this.sample(start);
      const end = this.sample(start + BLOCK);
      b = { offset, change: end === offset ? null : { at: this.firstWith(start, start + BLOCK, offset), offset: end } };
      this.blocks.set(k, b);
    }
    return b;
  }

  /** The first instant in (lo, hi] whose offset differs from `offset` (it does at hi). */
  private firstWith(lo: number, hi: number, offset: number): number {
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.sample(mid) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  private sample(t: number): number {
    return Math.round(tzOffset(this.timeZone, new Date(t)) * 60_000);
  }
}
