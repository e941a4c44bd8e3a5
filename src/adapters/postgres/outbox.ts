import { PipelineError } from '../../errors.js';
import type { OutboxClaim, OutboxEntry, OutboxRepository } from '../../ports/repositories.js';
import { named, type PostgresQueryable } from './client.js';
import type { Context } from './context.js';
import { guarded } from './driverErrors.js';

// The outbox of one tenant. Order is per stream (a deal's events, or the workspace's: deal_id
// NULL) by (version, n), never by seq: on a sharded server each node may number seq itself, so
// seq only identifies a row and sorts a batch. Every statement touches sp_outbox alone with
// tenant_id = $1. Due rows are read through the partial index of undelivered, unparked rows, so
// a read costs the rows it returns, not the delivered history.

type Row = { seq: string | number; body: string; attempts: number; last_error: string | null };

const entry = (r: Row): OutboxEntry => ({ seq: Number(r.seq), event: JSON.parse(r.body) as OutboxEntry['event'] });
const withAttempts = (r: Row): OutboxEntry => ({ ...entry(r), attempts: r.attempts, lastError: r.last_error });

export const PENDING = named('sp_outbox_pending', `SELECT seq, body::text AS body, attempts, last_error FROM sp_outbox
  WHERE tenant_id = $1 AND delivered_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT $2`);
const MARK_DELIVERED = named('sp_outbox_delivered', `UPDATE sp_outbox SET delivered_at = $3, claimed_by = NULL, claimed_until = NULL
  WHERE tenant_id = $1 AND seq = ANY($2::bigint[]) AND delivered_at IS NULL`);
// Step 1 of a claim: due rows by seq, locked (rows another claim holds are skipped, not waited for).
// Events never tried are read by seq, events waiting for a retry by due time, each through a
// partial index of its own: a claim does not read through a backlog that is not due yet (after an
// outage, every pending event waits for its retry). Not a named prepared statement: its generic
// plan reads new events through sp_outbox_due (all pending rows, the backlog waiting for a retry
// included), so it is planned for the tenant and instant at hand each time.
const FREE_NOW = `(claimed_until IS NULL OR claimed_until < $2 OR claimed_by = $3)`;
export const DUE = `WITH fresh AS (
    SELECT seq, deal_id FROM sp_outbox
    WHERE tenant_id = $1 AND delivered_at IS NULL AND parked_at IS NULL AND due_at IS NULL AND ${FREE_NOW}
    ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED),
  retry AS (
    SELECT seq, deal_id FROM sp_outbox
    WHERE tenant_id = $1 AND delivered_at IS NULL AND parked_at IS NULL AND due_at IS NOT NULL AND due_at <= $2 AND ${FREE_NOW}
    ORDER BY due_at, seq LIMIT $4 FOR UPDATE SKIP LOCKED)
  SELECT seq, deal_id FROM (SELECT seq, deal_id FROM fresh UNION ALL SELECT seq, deal_id FROM retry) due ORDER BY seq LIMIT $4`;
// Step 2: the first rows of those streams in stream order (as many per stream as the first batch
// found of it: enough to reach them, read through the streams index), with whether each may be
// handed out now.
const FREE = `(due_at IS NULL OR due_at <= $2) AND (claimed_until IS NULL OR claimed_until < $2 OR claimed_by = $3)`;
const STREAMS = named('sp_outbox_claim_streams', `SELECT seq, deal_id, free FROM (
  SELECT s.seq, s.deal_id, s.version, s.n, s.free
  FROM unnest($4::text[], $5::integer[]) AS k(deal_id, cap)
  CROSS JOIN LATERAL (SELECT seq, deal_id, version, n, ${FREE} AS free FROM sp_outbox
    WHERE tenant_id = $1 AND deal_id = k.deal_id AND delivered_at IS NULL AND parked_at IS NULL
    ORDER BY version, n, seq LIMIT k.cap) s
  UNION ALL
  (SELECT seq, deal_id, version, n, ${FREE} AS free FROM sp_outbox
    WHERE tenant_id = $1 AND deal_id IS NULL AND delivered_at IS NULL AND parked_at IS NULL
    ORDER BY version, n, seq LIMIT $6)
) u ORDER BY deal_id NULLS FIRST, version, n, seq`);
// Step 3: free rows early in their streams that the first batch did not reach, locked the same way
// (the condition is checked again: a claim that committed since step 2 has leased them).
const LOCK_MORE = named('sp_outbox_claim_more', `SELECT seq FROM sp_outbox WHERE tenant_id = $1 AND seq = ANY($4::bigint[])
  AND delivered_at IS NULL AND parked_at IS NULL AND ${FREE} FOR UPDATE SKIP LOCKED`);
// Step 4: the lease.
const LEASE = named('sp_outbox_claim_lease', `UPDATE sp_outbox SET claimed_by = $3, claimed_until = $4
  WHERE tenant_id = $1 AND seq = ANY($2::bigint[]) RETURNING seq, body::text AS body, attempts, last_error`);
const FAIL = named('sp_outbox_fail', `UPDATE sp_outbox SET attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL, last_error = $4,
    due_at = $5, parked_at = CASE WHEN $5::bigint IS NULL THEN $6::bigint END
  WHERE tenant_id = $1 AND seq = ANY($2::bigint[]) AND claimed_by = $3 AND delivered_at IS NULL`);
const PARKED = named('sp_outbox_parked', `SELECT seq, body::text AS body, attempts, last_error FROM sp_outbox
  WHERE tenant_id = $1 AND parked_at IS NOT NULL AND delivered_at IS NULL ORDER BY seq LIMIT $2`);
const RETRY_PARKED = named('sp_outbox_retry_parked', `UPDATE sp_outbox SET parked_at = NULL, due_at = NULL, attempts = 0
  WHERE tenant_id = $1 AND seq = ANY($2::bigint[]) AND parked_at IS NOT NULL AND delivered_at IS NULL RETURNING seq`);
const PURGE = named('sp_outbox_purge', `DELETE FROM sp_outbox WHERE tenant_id = $1 AND delivered_at IS NOT NULL AND delivered_at < $2 RETURNING seq`);

function checkLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw new PipelineError('invalid_input', 'limit: expected an integer of at least 1', { path: 'limit' });
  return Math.min(limit, 100_000);
}

function checkSeqs(seqs: unknown): number[] {
  if (!Array.isArray(seqs) || !seqs.every((s) => Number.isSafeInteger(s))) throw new PipelineError('invalid_input', 'seqs: expected an array of integers', { path: 'seqs' });
  return seqs as number[];
}

function checkClaim(c: OutboxClaim): void {
  if (typeof c !== 'object' || c === null) throw new PipelineError('invalid_input', 'claim: expected { owner, limit, leaseMs, now }', { path: 'claim' });
  if (typeof c.owner !== 'string' || c.owner.length === 0) throw new PipelineError('invalid_input', 'claim.owner: expected a non-empty string', { path: 'claim.owner' });
  if (!Number.isSafeInteger(c.leaseMs) || c.leaseMs < 1) throw new PipelineError('invalid_input', 'claim.leaseMs: expected a positive integer', { path: 'claim.leaseMs' });
  if (!Number.isSafeInteger(c.now)) throw new PipelineError('invalid_input', 'claim.now: expected epoch milliseconds', { path: 'claim.now' });
  if (!Number.isInteger(c.limit) || c.limit < 1) throw new PipelineError('invalid_input', 'claim.limit: expected an integer of at least 1', { path: 'claim.limit' });
}

type StreamRow = { seq: string | number; deal_id: string | null; free: boolean };

/**
 * The rows a claim may take: in each stream, the rows from its head on while each is free and
 * locked by this claim (an earlier row held by another claim, leased, or not due yet stops the
 * stream), then the earliest `limit` of them by seq, each stream's taken rows a prefix of it.
 */
function claimable(rows: readonly StreamRow[], locked: ReadonlySet<number>, limit: number): number[] {
  const runs = new Map<string | null, number[]>();
  const stopped = new Set<string | null>();
  for (const r of rows) {
    if (stopped.has(r.deal_id)) continue;
    const seq = Number(r.seq);
    if (!r.free || !locked.has(seq)) {
      stopped.add(r.deal_id);
      continue;
    }
    const run = runs.get(r.deal_id) ?? [];
    run.push(seq);
    runs.set(r.deal_id, run);
  }
  // Take by seq, but never an event before the earlier events of its stream: each event's key is
  // the largest seq up to it in its stream, which never decreases along a stream.
  const keyed: { seq: number; key: number; stream: number; at: number }[] = [];
  let stream = 0;
  for (const run of runs.values()) {
    let key = -Infinity;
    run.forEach((seq, at) => keyed.push({ seq, key: (key = Math.max(key, seq)), stream, at }));
    stream++;
  }
  keyed.sort((a, b) => a.key - b.key || a.stream - b.stream || a.at - b.at);
  return keyed.slice(0, limit).map((k) => k.seq).sort((a, b) => a - b);
}

async function claimIn(tx: PostgresQueryable, t: string, c: OutboxClaim): Promise<OutboxEntry[]> {
  const limit = Math.min(c.limit, 100_000);
  const { rows: due } = await tx.query<{ seq: string | number; deal_id: string | null }>(DUE, [t, c.now, c.owner, limit]);
  if (due.length === 0) return [];
  const locked = new Set(due.map((r) => Number(r.seq)));
  const caps = new Map<string | null, number>();
  for (const r of due) caps.set(r.deal_id, (caps.get(r.deal_id) ?? 0) + 1);
  const streams = [...caps].filter(([k]) => k !== null) as [string, number][];
  const { rows } = await tx.query<StreamRow>(STREAMS, [t, c.now, c.owner, streams.map(([k]) => k), streams.map(([, n]) => n), caps.get(null) ?? 0]);
  // Free rows early in their stream that the first batch did not reach (seq is not stream order): lock them too.
  const missing = unlockedPrefix(rows, locked).slice(0, limit);
  if (missing.length > 0) {
    const { rows: more } = await tx.query<{ seq: string | number }>(LOCK_MORE, [t, c.now, c.owner, missing]);
    for (const r of more) locked.add(Number(r.seq));
  }
  const seqs = claimable(rows, locked, limit);
  if (seqs.length === 0) return [];
  const { rows: leased } = await tx.query<Row>(LEASE, [t, seqs, c.owner, c.now + c.leaseMs]);
  return leased.map(withAttempts).sort((a, b) => a.seq - b.seq);
}

/** The free rows at the start of each stream that this claim has not locked yet. */
function unlockedPrefix(rows: readonly StreamRow[], locked: ReadonlySet<number>): number[] {
  const missing: number[] = [];
  const stopped = new Set<string | null>();
  for (const r of rows) {
    if (stopped.has(r.deal_id)) continue;
    if (!r.free) stopped.add(r.deal_id);
    else if (!locked.has(Number(r.seq))) missing.push(Number(r.seq));
  }
  return missing;
}

/** The outbox of one tenant: pending events by seq, claims by stream, failures, parking, purge. */
export function postgresOutbox(ctx: Context): Required<OutboxRepository> {
  const { db, tenantId: t } = ctx;
  return {
    async pending(limit) {
      const n = checkLimit(limit);
      const { rows } = await guarded('outbox.pending', () => db.query<Row>(PENDING, [t, n]));
      return rows.map(entry);
    },
    async markDelivered(seqs) {
      if (checkSeqs(seqs).length === 0) return;
      await guarded('outbox.markDelivered', () => db.query(MARK_DELIVERED, [t, seqs, Date.now()]));
    },
    async claim(c) {
      checkClaim(c);
      return guarded('outbox.claim', () => ctx.transaction((tx) => claimIn(tx, t, c)));
    },
    async fail(seqs, failure) {
      checkSeqs(seqs);
      if (typeof failure !== 'object' || failure === null || typeof failure.owner !== 'string' || typeof failure.error !== 'string') {
        throw new PipelineError('invalid_input', 'failure: expected { owner, error, retryAt }', { path: 'failure' });
      }
      if (failure.retryAt !== null && !Number.isSafeInteger(failure.retryAt)) throw new PipelineError('invalid_input', 'failure.retryAt: expected epoch milliseconds or null', { path: 'failure.retryAt' });
      if (failure.now !== undefined && !Number.isSafeInteger(failure.now)) throw new PipelineError('invalid_input', 'failure.now: expected epoch milliseconds', { path: 'failure.now' });
      if (seqs.length === 0) return;
      // A parked event is stamped with the caller's instant (the delivery's clock) when it gives one.
      await guarded('outbox.fail', () => db.query(FAIL, [t, seqs, failure.owner, failure.error.slice(0, 1000), failure.retryAt, failure.now ?? Date.now()]));
    },
    async parked(limit) {
      const n = checkLimit(limit);
      const { rows } = await guarded('outbox.parked', () => db.query<Row>(PARKED, [t, n]));
      return rows.map(withAttempts);
    },
    async retryParked(seqs) {
      if (checkSeqs(seqs).length === 0) return 0;
      const { rows } = await guarded('outbox.retryParked', () => db.query(RETRY_PARKED, [t, seqs]));
      return rows.length;
    },
    async purgeDelivered(before) {
      if (!Number.isSafeInteger(before)) throw new PipelineError('invalid_input', 'before: expected epoch milliseconds', { path: 'before' });
      const { rows } = await guarded('outbox.purgeDelivered', () => db.query(PURGE, [t, before]));
      return rows.length;
    },
  };
}
