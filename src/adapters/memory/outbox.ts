import { PipelineError } from '../../errors.js';
import type { DealEvent } from '../../deals/events.js';
import { redactEvent } from '../../ports/erasure.js';
import type { DealErasedEvent, OutboxClaim, OutboxEntry, OutboxFailure, OutboxRepository } from '../../ports/repositories.js';
import type { WorkspaceEvent } from '../../workspace/events.js';

type AnyEvent = WorkspaceEvent | DealEvent | DealErasedEvent;

/** One stored event and its delivery state (the columns an SQL outbox has). */
interface Row {
  readonly seq: number;
  event: AnyEvent;
  /** The deal id, or '' for the workspace's stream. */
  readonly stream: string;
  attempts: number;
  dueAt: number | null;
  claimedBy: string | null;
  claimedUntil: number | null;
  lastError: string | null;
  parkedAt: number | null;
  deliveredAt: number | null;
}

const MAX_ERROR = 1000;

/**
 * The memory store's outbox: events in commit order with their delivery state. Undelivered rows
 * (parked ones included, so a retried event keeps its place in its stream) sit in one map in
 * `seq` order; delivered rows are kept, as an SQL table keeps them, until `purgeDelivered`, so
 * that an erasure redacts them too.
 */
export class MemoryOutbox implements OutboxRepository {
  private readonly undelivered = new Map<number, Row>();
  private readonly delivered = new Map<number, Row>();
  private readonly parkedSeqs = new Set<number>();
  private seq = 0;

  constructor(private readonly clock: () => number) {}

  /** Appends events (already checked and frozen by the caller's save). */
  append(events: readonly AnyEvent[]): void {
    for (const event of events) {
      const seq = ++this.seq;
      const stream = typeof (event as { dealId?: unknown }).dealId === 'string' ? (event as { dealId: string }).dealId : '';
      this.undelivered.set(seq, { seq, event, stream, attempts: 0, dueAt: null, claimedBy: null, claimedUntil: null, lastError: null, parkedAt: null, deliveredAt: null });
    }
  }

  /** Replaces every stored event of a deal, delivered or not, with its redacted form. */
  redact(dealId: string): void {
    for (const rows of [this.undelivered, this.delivered]) {
      for (const row of rows.values()) if (row.stream === dealId) row.event = Object.freeze(redactEvent(row.event as DealEvent)) as unknown as AnyEvent;
    }
  }

  /** Every row, delivered or not, for a test's look at the whole stored state. */
  rows(): readonly Readonly<Row>[] {
    return [...this.undelivered.values(), ...this.delivered.values()];
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    const out: OutboxEntry[] = [];
    for (const row of this.undelivered.values()) {
      if (out.length >= limit) break;
      if (row.parkedAt === null) out.push(Object.freeze({ seq: row.seq, event: row.event }));
    }
    return out;
  }

  async markDelivered(seqs: readonly number[]): Promise<void> {
    checkSeqs(seqs);
    const at = this.clock();
    for (const seq of seqs) {
      const row = this.undelivered.get(seq);
      if (!row) continue;
      this.undelivered.delete(seq);
      this.parkedSeqs.delete(seq);
      row.deliveredAt = at;
      row.claimedBy = null;
      row.claimedUntil = null;
      this.delivered.set(seq, row);
    }
  }

  async claim(claim: OutboxClaim): Promise<OutboxEntry[]> {
    const { owner, limit, leaseMs, now } = checkClaim(claim);
    const out: OutboxEntry[] = [];
    // A stream whose earliest undelivered, unparked event is not in this claim gives nothing more.
    const blocked = new Set<string>();
    for (const row of this.undelivered.values()) {
      if (out.length >= limit) break;
      if (row.parkedAt !== null || blocked.has(row.stream)) continue;
      const due = row.dueAt === null || row.dueAt <= now;
      const free = row.claimedBy === null || row.claimedBy === owner || row.claimedUntil === null || row.claimedUntil < now;
      if (!due || !free) {
        blocked.add(row.stream);
        continue;
      }
      row.claimedBy = owner;
      row.claimedUntil = now + leaseMs;
      out.push(entry(row));
    }
    return out;
  }

  async fail(seqs: readonly number[], failure: OutboxFailure): Promise<void> {
    checkSeqs(seqs);
    if (typeof failure !== 'object' || failure === null || typeof failure.owner !== 'string' || typeof failure.error !== 'string' || !(failure.retryAt === null || Number.isFinite(failure.retryAt))) {
      throw new PipelineError('invalid_input', 'failure: expected { owner, error, retryAt: epoch ms or null }', { path: 'failure' });
    }
    if (failure.now !== undefined && (typeof failure.now !== 'number' || !Number.isFinite(failure.now))) {
      throw new PipelineError('invalid_input', 'failure.now: expected epoch milliseconds', { path: 'failure.now' });
    }
    // The caller's instant when it gives one: a parked event is stamped on the delivery's clock.
    const at = failure.now ?? this.clock();
    for (const seq of seqs) {
      const row = this.undelivered.get(seq);
      if (!row || row.claimedBy !== failure.owner) continue;
      row.attempts++;
      row.claimedBy = null;
      row.claimedUntil = null;
      row.lastError = failure.error.slice(0, MAX_ERROR);
      if (failure.retryAt === null) {
        row.parkedAt = at;
        this.parkedSeqs.add(seq);
      } else {
        row.dueAt = failure.retryAt;
      }
    }
  }

  async parked(limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return [...this.parkedSeqs].sort((a, b) => a - b).slice(0, limit).map((seq) => entry(this.undelivered.get(seq)!));
  }

  async retryParked(seqs: readonly number[]): Promise<number> {
    checkSeqs(seqs);
    let count = 0;
    for (const seq of new Set(seqs)) {
      if (!this.parkedSeqs.delete(seq)) continue;
      const row = this.undelivered.get(seq)!;
      row.parkedAt = null;
      row.dueAt = null;
      row.attempts = 0;
      count++;
    }
    return count;
  }

  async purgeDelivered(before: number): Promise<number> {
    if (typeof before !== 'number' || !Number.isFinite(before)) throw new PipelineError('invalid_input', 'before: expected epoch milliseconds', { path: 'before' });
    let count = 0;
    for (const [seq, row] of this.delivered) {
      if (row.deliveredAt! < before) {
        this.delivered.delete(seq);
        count++;
      }
    }
    return count;
  }
}

const entry = (row: Row): OutboxEntry => Object.freeze({ seq: row.seq, event: row.event, attempts: row.attempts, lastError: row.lastError });

function checkLimit(limit: unknown): asserts limit is number {
  if (typeof limit !== 'number' || !(limit >= 1)) throw new PipelineError('invalid_input', 'limit: expected a positive number', { path: 'limit' });
}

function checkSeqs(seqs: unknown): asserts seqs is readonly number[] {
  if (!Array.isArray(seqs)) throw new PipelineError('invalid_input', 'seqs: expected an array of numbers', { path: 'seqs' });
}

function checkClaim(claim: unknown): OutboxClaim {
  const c = claim as Partial<OutboxClaim> | null;
  if (typeof c !== 'object' || c === null) throw new PipelineError('invalid_input', 'claim: expected { owner, limit, leaseMs, now }', { path: 'claim' });
  if (typeof c.owner !== 'string' || c.owner.length === 0) throw new PipelineError('invalid_input', 'claim.owner: expected a non-empty string', { path: 'claim.owner' });
  checkLimit(c.limit);
  if (typeof c.leaseMs !== 'number' || !(c.leaseMs >= 0) || !Number.isFinite(c.leaseMs)) throw new PipelineError('invalid_input', 'claim.leaseMs: expected milliseconds', { path: 'claim.leaseMs' });
  if (typeof c.now !== 'number' || !Number.isFinite(c.now)) throw new PipelineError('invalid_input', 'claim.now: expected epoch milliseconds', { path: 'claim.now' });
  return { owner: c.owner, limit: c.limit, leaseMs: c.leaseMs, now: c.now };
}

/** Checks that `events` is an array of events and returns it. */
export function checkEvents<E>(events: unknown, path: string): readonly E[] {
  if (events === undefined) return [];
  if (!Array.isArray(events)) throw new PipelineError('invalid_input', `${path}: expected an array of events`, { path });
  events.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string') {
      throw new PipelineError('invalid_input', `${path}[${i}]: expected an event`, { path: `${path}[${i}]` });
    }
  });
  return events as readonly E[];
}
