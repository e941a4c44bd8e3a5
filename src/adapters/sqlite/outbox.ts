import { PipelineError } from '../../errors.js';
import type { DealEvent } from '../../deals/events.js';
import type { DealErasedEvent, OutboxClaim, OutboxEntry, OutboxRepository } from '../../ports/repositories.js';
import type { WorkspaceEvent } from '../../workspace/events.js';
import { runRows, type Context } from './context.js';
import { guarded } from './errors.js';
import { checkText, multiRow } from './rows.js';

const EVENT_INSERT = 'INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body, n) VALUES (?, ?, ?, ?, ?, ?)';
const EVENT_WIDTH = 6;

/** Appends events to the tenant's outbox (inside the caller's transaction): one multi-row INSERT; `n` is each event's place in the save. */
export function writeEvents(ctx: Context, events: readonly (WorkspaceEvent | DealEvent | DealErasedEvent)[], path: string): void {
  if (!Array.isArray(events)) throw new PipelineError('invalid_input', `${path}: expected an array of events`, { path });
  const params: unknown[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as unknown as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.type !== 'string' || !Number.isInteger(e.version)) {
      throw new PipelineError('invalid_input', `${path}[${i}]: expected an event with id, type and version`, { path: `${path}[${i}]` });
    }
    checkText(e.id, `${path}[${i}].id`);
    params.push(ctx.tenantId, e.id, typeof e.dealId === 'string' ? e.dealId : null, e.version, JSON.stringify(e), i);
  }
  runRows(ctx, 'eventInsert', (n) => multiRow(EVENT_INSERT, EVENT_WIDTH, n), EVENT_WIDTH, params);
}

// A row may be handed out when it is due and no other owner's lease on it lives.
const CLAIMABLE = (e: string) => `(${e}.due_at IS NULL OR ${e}.due_at <= @now) AND (${e}.claimed_until IS NULL OR ${e}.claimed_until < @now OR ${e}.claimed_by = @owner)`;

/** Earlier events of a row's stream that are pending and unparked, which this claim cannot take too. */
const BLOCKED = `EXISTS (SELECT 1 FROM sp_outbox e INDEXED BY sp_outbox_streams
  WHERE e.tenant_id = @tenant AND e.deal_id IS o.deal_id AND e.delivered_at IS NULL AND e.parked_at IS NULL
    AND (e.version < o.version OR (e.version = o.version AND (e.n < o.n OR (e.n = o.n AND e.seq < o.seq))))
    AND NOT (${CLAIMABLE('e')}))`;

/**
 * The due rows, each the next of its stream (a deal's events, or the workspace's: deal_id NULL):
 * no earlier pending, unparked event of its stream that this claim cannot take too. Events never
 * tried are read by seq, events waiting for a retry by due time, each from a partial index of its
 * own: a claim does not read through a backlog that is not due yet (after an outage, every pending
 * event waits for its retry). The stream probe reads the partial index of pending rows.
 */
export const CLAIM_SQL = `SELECT seq, body, attempts, last_error FROM (
    SELECT * FROM (SELECT o.seq, o.body, o.attempts, o.last_error FROM sp_outbox o INDEXED BY sp_outbox_fresh
      WHERE o.tenant_id = @tenant AND o.delivered_at IS NULL AND o.parked_at IS NULL AND o.due_at IS NULL
        AND ${CLAIMABLE('o')} AND NOT ${BLOCKED}
      ORDER BY o.seq LIMIT @limit)
    UNION ALL
    SELECT * FROM (SELECT o.seq, o.body, o.attempts, o.last_error FROM sp_outbox o INDEXED BY sp_outbox_retry
      WHERE o.tenant_id = @tenant AND o.delivered_at IS NULL AND o.parked_at IS NULL AND o.due_at IS NOT NULL AND o.due_at <= @now
        AND ${CLAIMABLE('o')} AND NOT ${BLOCKED}
      ORDER BY o.due_at, o.seq LIMIT @limit))
  ORDER BY seq LIMIT @limit`;

type EntryRow = [seq: number, body: string, attempts: number, lastError: string | null];

const entry = (r: EntryRow): OutboxEntry => ({ seq: r[0], event: JSON.parse(r[1]) as OutboxEntry['event'] });
const withAttempts = (r: EntryRow): OutboxEntry => ({ ...entry(r), attempts: r[2], lastError: r[3] });

function invalid(path: string, what: string): never {
  throw new PipelineError('invalid_input', `${path}: ${what}`, { path });
}

function checkLimit(limit: unknown, path = 'limit'): number {
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 1) invalid(path, 'expected a positive number');
  return Math.min(Math.floor(limit), 1_000_000);
}

function checkSeqs(seqs: unknown): number[] {
  if (!Array.isArray(seqs)) invalid('seqs', 'expected an array of integers');
  if (!seqs.every((s) => Number.isSafeInteger(s))) invalid('seqs', 'expected integers');
  return seqs as number[];
}

function checkClaim(c: OutboxClaim): void {
  if (typeof c !== 'object' || c === null) invalid('claim', 'expected { owner, limit, leaseMs, now }');
  if (typeof c.owner !== 'string' || c.owner.length === 0) invalid('claim.owner', 'expected a non-empty string');
  checkText(c.owner, 'claim.owner');
  checkLimit(c.limit, 'claim.limit');
  if (!Number.isSafeInteger(c.leaseMs) || c.leaseMs < 1) invalid('claim.leaseMs', 'expected a positive integer of milliseconds');
  if (!Number.isSafeInteger(c.now)) invalid('claim.now', 'expected epoch milliseconds');
}

/** An error message cut to 1000 UTF-16 units, never inside a surrogate pair. */
function cut(error: string): string {
  if (error.length <= 1000) return error;
  const head = error.slice(0, 1000);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

/**
 * The tenant's outbox: the simple form (`pending`, `markDelivered`) and claims with leases,
 * failures with retry or parking, and purging of delivered rows. Each write is one IMMEDIATE
 * transaction, so claims of several processes on one file exclude each other.
 */
export function sqliteOutbox(ctx: Context): Required<OutboxRepository> {
  const { db, tenantId } = ctx;
  const run = (sql: string, ...params: unknown[]) => ctx.cached(sql).run(...params).changes;
  const claim = db.transaction((c: OutboxClaim) => {
    const rows = ctx.cached(CLAIM_SQL).raw().all({ tenant: tenantId, now: c.now, owner: c.owner, limit: Math.floor(c.limit) }) as EntryRow[];
    if (rows.length > 0) {
      run('UPDATE sp_outbox SET claimed_by = ?, claimed_until = ? WHERE tenant_id = ? AND seq IN (SELECT value FROM json_each(?))', c.owner, c.now + c.leaseMs, tenantId, JSON.stringify(rows.map((r) => r[0])));
    }
    return rows.map(withAttempts);
  });
  const inSeqs = 'tenant_id = ? AND seq IN (SELECT value FROM json_each(?))';
  return {
    pending(limit) {
      return guarded('outbox.pending', () => {
        const rows = ctx.cached('SELECT seq, body FROM sp_outbox INDEXED BY sp_outbox_due WHERE tenant_id = ? AND delivered_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT ?')
          .raw().all(tenantId, checkLimit(limit)) as EntryRow[];
        return rows.map(entry);
      });
    },
    markDelivered(seqs) {
      return guarded('outbox.markDelivered', () => {
        const valid = checkSeqs(seqs);
        if (valid.length > 0) run(`UPDATE sp_outbox SET delivered_at = ?, claimed_by = NULL, claimed_until = NULL WHERE ${inSeqs} AND delivered_at IS NULL`, Date.now(), tenantId, JSON.stringify(valid));
      });
    },
    claim(c) {
      return guarded('outbox.claim', () => {
        checkClaim(c);
        return claim.immediate(c);
      });
    },
    fail(seqs, failure) {
      return guarded('outbox.fail', () => {
        const valid = checkSeqs(seqs);
        if (typeof failure !== 'object' || failure === null) invalid('failure', 'expected { owner, error, retryAt }');
        if (typeof failure.owner !== 'string' || failure.owner.length === 0) invalid('failure.owner', 'expected a non-empty string');
        if (typeof failure.error !== 'string') invalid('failure.error', 'expected a string');
        if (failure.retryAt !== null && !Number.isSafeInteger(failure.retryAt)) invalid('failure.retryAt', 'expected epoch milliseconds or null');
        if (failure.now !== undefined && !Number.isSafeInteger(failure.now)) invalid('failure.now', 'expected epoch milliseconds');
        if (valid.length === 0) return;
        const error = cut(failure.error);
        checkText(error, 'failure.error');
        // Only rows this owner claimed; a null retryAt parks the event (its stream goes on without it),
        // stamped with the caller's instant when it gives one (the delivery's clock), else this process's.
        run(`UPDATE sp_outbox SET attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL, last_error = ?,
            due_at = coalesce(?, due_at), parked_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END
          WHERE ${inSeqs} AND claimed_by = ? AND delivered_at IS NULL`,
          error, failure.retryAt, failure.retryAt, failure.now ?? Date.now(), tenantId, JSON.stringify(valid), failure.owner);
      });
    },
    parked(limit) {
      return guarded('outbox.parked', () => {
        const rows = ctx.cached('SELECT seq, body, attempts, last_error FROM sp_outbox INDEXED BY sp_outbox_parked WHERE tenant_id = ? AND parked_at IS NOT NULL AND delivered_at IS NULL ORDER BY seq LIMIT ?')
          .raw().all(tenantId, checkLimit(limit)) as EntryRow[];
        return rows.map(withAttempts);
      });
    },
    retryParked(seqs) {
      return guarded('outbox.retryParked', () => {
        const valid = checkSeqs(seqs);
        if (valid.length === 0) return 0;
        return run(`UPDATE sp_outbox SET parked_at = NULL, due_at = NULL, attempts = 0 WHERE ${inSeqs} AND parked_at IS NOT NULL AND delivered_at IS NULL`, tenantId, JSON.stringify(valid));
      });
    },
    purgeDelivered(before) {
      return guarded('outbox.purgeDelivered', () => {
        if (!Number.isSafeInteger(before)) invalid('before', 'expected epoch milliseconds');
        return run('DELETE FROM sp_outbox WHERE tenant_id = ? AND delivered_at IS NOT NULL AND delivered_at < ?', tenantId, before);
      });
    },
  };
}
