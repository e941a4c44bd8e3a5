import { PipelineError } from '../../errors.js';
import type { Deal } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import { redactEvent } from '../../ports/erasure.js';
import type { DealDecision, DealErasure, DealTransactOptions } from '../../ports/repositories.js';
import { named, type PostgresQueryable } from './client.js';
import type { Context } from './context.js';
import { storageError } from './driverErrors.js';
import { GET_DEAL } from './readDeals.js';
import { CHANGES, DEAL_COLUMNS, HISTORY, readDeal, type DealRow } from './readRows.js';
import { eventColumns } from './rows.js';
import { byId, checkChanges, checkHeads, saveError } from './saveDeals.js';
import { arrayLiteral as a, storableJson, storableText } from './text.js';
import { workspaceOf } from './workspace.js';
import { writeChunk } from './writeDeals.js';
import { saveColumns } from './rows.js';

// The workspace row (its tag, and its body when the tag differs from the one held) FOR SHARE, the
// deal row FOR UPDATE, and the deal read whole, in one statement. A statement that waited for the
// row lock sees the row's new version but evaluates its subqueries (the history, the change log)
// on its older snapshot: `seen` is the version that snapshot holds, and when it is not the locked
// row's, the deal is read again (every save raises the version in the transaction that writes
// the visits and the log, so a snapshot at the row's version holds them as stored).
const LOCK_READ = named('sp_transact_lock_read', `SELECT w.tag, w.body, d.* FROM (
    SELECT version || ':' || xmin::text AS tag, CASE WHEN version || ':' || xmin::text IS DISTINCT FROM $3::text THEN body::text END AS body
    FROM sp_workspace WHERE tenant_id = $1 FOR SHARE) w
  LEFT JOIN LATERAL (SELECT ${DEAL_COLUMNS}, ${HISTORY}, ${CHANGES},
      (SELECT s.version FROM sp_deals s WHERE s.tenant_id = $1 AND s.id = $2) AS seen
    FROM sp_deals d WHERE d.tenant_id = $1 AND d.id = $2 FOR UPDATE OF d) d ON true`);
const LOCK_ONE = named('sp_deals_lock_one', 'SELECT version FROM sp_deals WHERE tenant_id = $1 AND id = $2 FOR UPDATE');

/** A row of LOCK_READ: the workspace's tag and body, then the deal's columns (null when it does not exist) and the version its snapshot saw. */
type LockedRow = { tag: string; body: string | null; seen: number | null } & (DealRow | { [K in keyof DealRow]: null });

/** The deal of a LOCK_READ row, or undefined when the deal does not exist. */
function dealOf(row: LockedRow): DealRow | undefined {
  if (row.id === null) return undefined;
  const { tag: _tag, body: _body, seen: _seen, ...deal } = row as LockedRow & DealRow;
  return deal;
}

/**
 * One read-decide-write transaction: the workspace row FOR SHARE, the deal row FOR UPDATE and
 * the deal read whole in one statement, then `decide`, then the writes of a save of the decided deal against the version read (no second
 * lock read: the row is held). Every statement touches one table of one tenant.
 */
export async function transactDeal(
  ctx: Context,
  id: string,
  decide: (current: Deal | null, workspace: Workspace) => DealDecision | null,
  options: DealTransactOptions = {},
): Promise<void> {
  if (typeof id !== 'string' || id.length === 0) throw new PipelineError('invalid_input', 'id: expected a non-empty string', { path: 'id' });
  if (typeof decide !== 'function') throw new PipelineError('invalid_input', 'decide: expected a function', { path: 'decide' });
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected { events? }', { path: 'options' });
  let saved = false;
  let decided: { readonly error: unknown } | null = null;
  let checked: ReturnType<typeof checkChanges> = [];
  try {
    await ctx.transaction(async (tx) => {
      // Both locks and the read in one statement (see LOCK_READ); the read again only when the
      // lock waited for a save of the deal, or when there is no workspace row to join the deal to.
      const { rows: locked } = await tx.query<LockedRow>(LOCK_READ, [ctx.tenantId, id, ctx.workspace?.tag ?? null]);
      if (locked.length === 0) await tx.query(LOCK_ONE, [ctx.tenantId, id]);
      const ws = workspaceOf(ctx, locked[0]);
      const first = locked[0];
      const row = first !== undefined && (first.id === null || first.seen === first.version) ? dealOf(first) : (await tx.query<DealRow>(GET_DEAL, [ctx.tenantId, id])).rows[0];
      const current = row ? readDeal(ctx, row) : null;
      let decision: DealDecision | null;
      try {
        decision = decide(current, ws);
      } catch (error) {
        decided = { error };
        throw error;
      }
      if (decision === null) return;
      if (typeof decision !== 'object' || decision.deal?.id !== id) throw new PipelineError('invalid_input', `decide: expected { deal, events } for deal ${id}`, { path: 'decide' });
      checked = byId(checkChanges(ctx, [{ deal: decision.deal, expectedVersion: current?.version ?? null }]));
      const heads = new Map(row && current ? [[id, { version: current.version, visitCount: row.visit_count, changeCount: row.change_count }]] : []);
      checkHeads(checked, heads);
      const events = eventColumns(options.events === true ? decision.events : [], 'decision.events');
      await writeChunk(tx, ctx.tenantId, saveColumns(checked, heads), events, locked.length > 0);
      saved = true;
    });
  } catch (error) {
    // What `decide` threw comes back unchanged.
    if (decided !== null && (decided as { error: unknown }).error === error) throw error;
    throw saveError(error, checked, [id]);
  }
  if (saved) ctx.tails.delete(id);
}

const DELETE_DEAL = named('sp_deals_delete', 'DELETE FROM sp_deals WHERE tenant_id = $1 AND id = $2');
const DELETE_CHANGES = named('sp_changes_delete', 'DELETE FROM sp_deal_changes WHERE tenant_id = $1 AND deal_id = $2');
const ANONYMISE_VISITS = named('sp_visits_anonymise', 'UPDATE sp_stage_visits SET "by" = NULL WHERE tenant_id = $1 AND deal_id = $2');
// Each stored event of the deal keeps what redactEvent keeps (type, id, dealId, version, at), nothing else.
// Redacted in JavaScript with the same `redactEvent` every store uses, then written back by seq:
// a distributed database (Citus) refuses STABLE functions such as jsonb_build_object over column
// values in an UPDATE, and one definition keeps the stores' redactions identical.
const EVENTS_OF_DEAL = named('sp_outbox_of_deal', `SELECT seq, version, n, body::text AS body FROM sp_outbox
  WHERE tenant_id = $1 AND deal_id = $2 ORDER BY seq FOR UPDATE`);
const REDACT_EVENTS = named('sp_outbox_redact', `UPDATE sp_outbox o SET body = r.body::jsonb, last_error = NULL
  FROM unnest($3::bigint[], $4::text[]) AS r(seq, body)
  WHERE o.tenant_id = $1 AND o.deal_id = $2 AND o.seq = r.seq`);

/** Replaces every stored event of the deal by its redaction; returns the (version, n) of each. */
async function redactEvents(tx: PostgresQueryable, tenantId: string, dealId: string): Promise<{ version: number; n: number }[]> {
  const { rows } = await tx.query<{ seq: string; version: number; n: number; body: string }>(EVENTS_OF_DEAL, [tenantId, dealId]);
  if (rows.length === 0) return [];
  const bodies = rows.map((r) => JSON.stringify(redactEvent(JSON.parse(r.body) as Parameters<typeof redactEvent>[0])));
  await tx.query(REDACT_EVENTS, [tenantId, dealId, a(rows.map((r) => r.seq)), a(bodies)]);
  return rows;
}

function checkErasure(erasure: DealErasure): void {
  const bad = (path: string, what: string): never => {
    throw new PipelineError('invalid_input', `erasure.${path}: expected ${what}`, { path: `erasure.${path}` });
  };
  if (typeof erasure !== 'object' || erasure === null) bad('', '{ by, at, event }');
  if (erasure.by !== null && (typeof erasure.by !== 'string' || erasure.by.length === 0)) bad('by', 'an actor id or null');
  if (!Number.isSafeInteger(erasure.at)) bad('at', 'epoch milliseconds');
  if (erasure.expectedVersion !== undefined && (!Number.isSafeInteger(erasure.expectedVersion) || erasure.expectedVersion < 0)) bad('expectedVersion', 'an integer of at least 0');
  const e = erasure.event as unknown as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null || e.type !== 'dealErased' || typeof e.id !== 'string' || typeof e.dealId !== 'string' || !Number.isSafeInteger(e.version)) {
    bad('event', "a dealErased event { type: 'dealErased', id, dealId, version, at, by }");
  }
}

/** Erases a deal in one transaction (see `DealRepository.erase`); each statement touches one table of one tenant. */
export async function eraseDeal(ctx: Context, id: string, erasure: DealErasure): Promise<void> {
  if (typeof id !== 'string' || id.length === 0) throw new PipelineError('invalid_input', 'id: expected a non-empty string', { path: 'id' });
  checkErasure(erasure);
  storableText(id, 'id');
  const event = redactEvent(erasure.event);
  const body = storableJson(JSON.stringify({ ...erasure.event }), 'erasure.event');
  const t = ctx.tenantId;
  try {
    await ctx.transaction(async (tx: PostgresQueryable) => {
      const { rows } = await tx.query<{ version: number }>(LOCK_ONE, [t, id]);
      const stored = rows[0];
      if (stored === undefined) throw new PipelineError('not_found', `deal ${id} does not exist`, { dealId: id });
      if (erasure.expectedVersion !== undefined && stored.version !== erasure.expectedVersion) {
        throw new PipelineError('conflict', `deal ${id}: stored version ${stored.version}, expected ${erasure.expectedVersion}`, { ids: [id] });
      }
      await tx.query(DELETE_DEAL, [t, id]);
      await tx.query(DELETE_CHANGES, [t, id]);
      await tx.query(ANONYMISE_VISITS, [t, id]);
      const redacted = await redactEvents(tx, t, id);
      // The erasure's event comes after every stored event of the deal in its stream's (version, n) order.
      const n = redacted.filter((r) => r.version === event.version).reduce((max, r) => Math.max(max, r.n + 1), 0);
      const cols = eventColumns([], 'erasure.event');
      cols.eventId.push(erasure.event.id);
      cols.dealId.push(id);
      cols.version.push(event.version);
      cols.body.push(body);
      await insertEventAt(tx, t, cols, n);
    });
  } catch (error) {
    throw storageError(error, 'deals.erase', [id]);
  }
  ctx.tails.delete(id);
}

const INSERT_EVENT_AT = named('sp_outbox_insert_one', `INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, n, body)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb)`);

async function insertEventAt(tx: PostgresQueryable, tenantId: string, e: ReturnType<typeof eventColumns>, n: number): Promise<void> {
  await tx.query(INSERT_EVENT_AT, [tenantId, e.eventId[0], e.dealId[0], e.version[0], n, e.body[0]]);
}

