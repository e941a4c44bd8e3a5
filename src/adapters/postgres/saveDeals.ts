import { PipelineError } from '../../errors.js';
import type { Deal, StageVisit } from '../../model/deal.js';
import type { DealChange, DealSaveOptions } from '../../ports/repositories.js';
import { named, type PostgresQueryable } from './client.js';
import type { Context } from './context.js';
import { checkChangeList, checkSaveOptions } from '../../ports/dealChanges.js';
import { knownRead, type DealRead } from '../storedRows.js';
import { storageError } from './driverErrors.js';
import { eventColumns, saveColumns, type CheckedChange, type EventColumns, type StoredHead } from './rows.js';
import { writeChunk } from './writeDeals.js';
import { arrayLiteral as a } from './text.js';

// A save is one transaction of statements that each touch one table of one tenant (`tenant_id =
// $1`), so that a database sharded by tenant (Citus) routes the whole transaction to one node:
// the workspace row FOR SHARE (when the decision's workspace version is checked), the chunk's
// deal rows FOR UPDATE in id order, the version checks in JavaScript, then one statement per
// table for the whole chunk (arrays as parameters, unnest on the server). A conflict throws
// before anything is written, and the rollback releases the locks.

const LOCK_WORKSPACE = named('sp_workspace_lock_share', 'SELECT version FROM sp_workspace WHERE tenant_id = $1 FOR SHARE');
const LOCK_DEALS = named('sp_deals_lock', `SELECT id, version, visit_count, change_count FROM sp_deals
  WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`);

// One deal by its whole key: a prepared plan for any values stays one index lookup (see UPDATE_ONE_DEAL).
const LOCK_ONE_HEAD = named('sp_deals_lock_one_head', `SELECT id, version, visit_count, change_count FROM sp_deals
  WHERE tenant_id = $1 AND id = $2 FOR UPDATE`);

const LARGE_CHUNK = 16;
const CUSTOM_PLANS = 'SET LOCAL plan_cache_mode = force_custom_plan';

/** Checks what `save` was handed (checkDealChanges' rules), with the visits each deal was read with when this object read it. */
function checkChanges(ctx: Context, changes: readonly DealChange[]): CheckedChange[] {
  const checked = checkChangeList(changes, (deal, path) => checkDeal(deal, path, readOf(ctx, deal)?.visits ?? []));
  return checked.map(({ deal, expectedVersion, start, index }) => {
    const path = `changes[${index}]`;
    const read = readOf(ctx, deal);
    // The visits stored at the expected version from `start` on, when this object read the deal at that version in the same layout.
    const known = read !== undefined && read.version === expectedVersion && read.layoutId === deal.layoutId && read.start <= start;
    if (known && start > read.start + read.visits.length) pastStored(`${path}.historyStart`, start, read.start + read.visits.length);
    return { deal, expectedVersion, index, path: `${path}.deal`, start, stored: known ? { from: read.start, visits: read.visits } : null };
  });
}

/** What this object read of a deal: the read its visits came from, or its tail. */
function readOf(ctx: Context, deal: unknown): DealRead | undefined {
  return knownRead(ctx.known, deal) ?? (typeof deal === 'object' && deal !== null ? ctx.tails.get((deal as Deal).id) : undefined);
}

function pastStored(path: string, start: number, count: number): never {
  throw new PipelineError('invalid_input', `${path}: ${start} is past the ${count} stored visits`, { path });
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isTextOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** The columns the adapter writes must have their types: every deal field is a typed column now. */
function checkDeal(deal: unknown, path: string, read: readonly StageVisit[]): asserts deal is Deal {
  const d = deal as Record<string, unknown> | null;
  const bad = (field: string, what: string): never => {
    throw new PipelineError('invalid_input', `${path}${field ? `.${field}` : ''}: expected ${what}`, { path: field ? `${path}.${field}` : path });
  };
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return bad('', 'a deal object');
  if (!isText(d.id)) bad('id', 'a non-empty string');
  if (!isText(d.layoutId)) bad('layoutId', 'a non-empty string');
  if (!isText(d.stageId)) bad('stageId', 'a non-empty string');
  if (d.pipelineId !== null && !isText(d.pipelineId)) bad('pipelineId', 'a string or null');
  if (typeof d.name !== 'string') bad('name', 'a string');
  if (!isTextOrNull(d.currency)) bad('currency', 'a string or null');
  if (d.amount !== null && !isNum(d.amount)) bad('amount', 'a number or null');
  if (!isNum(d.probability)) bad('probability', 'a number');
  if (!isTextOrNull(d.closingDate)) bad('closingDate', 'a string or null');
  if (!isTextOrNull(d.ownerId)) bad('ownerId', 'a string or null');
  if (!isTextOrNull(d.lostReason)) bad('lostReason', 'a string or null');
  if (typeof d.fields !== 'object' || d.fields === null || Array.isArray(d.fields)) bad('fields', 'an object');
  if (!isInt(d.version)) bad('version', 'an integer');
  if (!isInt(d.createdAt)) bad('createdAt', 'epoch milliseconds');
  if (!isInt(d.updatedAt)) bad('updatedAt', 'epoch milliseconds');
  checkChangeLog(d.changes, `${path}.changes`);
  const h = d.history;
  if (!Array.isArray(h) || h.length === 0) return bad('history', 'a non-empty array');
  h.forEach((v: unknown, i) => {
    if (v === read[i]) return; // frozen as read from the database
    const r = v as Record<string, unknown> | null;
    const ok = typeof r === 'object' && r !== null && isText(r.stageId) && isInt(r.enteredAt) &&
      (r.exitedAt === null || isInt(r.exitedAt)) && (r.pipelineId === null || isText(r.pipelineId)) &&
      (r.amount === null || isNum(r.amount)) && isNum(r.probability) && (r.expectedRevenue === null || isNum(r.expectedRevenue)) &&
      isTextOrNull(r.closingDate) && typeof r.forecastCategory === 'string' && typeof r.outcome === 'string' && isTextOrNull(r.by);
    if (!ok) bad(`history[${i}]`, 'a stage visit');
  });
}

function checkChangeLog(changes: unknown, path: string): void {
  if (changes === undefined) return;
  if (!Array.isArray(changes)) throw new PipelineError('invalid_input', `${path}: expected an array`, { path });
  changes.forEach((c: unknown, i) => {
    const r = c as Record<string, unknown> | null;
    const scalar = (v: unknown) => v === null || typeof v === 'string' || isNum(v);
    if (typeof r !== 'object' || r === null || !isInt(r.at) || !isTextOrNull(r.by) || typeof r.field !== 'string' || !scalar(r.from) || !scalar(r.to)) {
      throw new PipelineError('invalid_input', `${path}[${i}]: expected { at, by, field, from, to }`, { path: `${path}[${i}]` });
    }
  });
}

/** Locks the workspace row FOR SHARE and refuses the save when its version is not the one the decision read. */
export async function checkWorkspaceVersion(tx: PostgresQueryable, tenantId: string, expected: number): Promise<void> {
  const { rows } = await tx.query<{ version: number }>(LOCK_WORKSPACE, [tenantId]);
  const stored = rows[0]?.version ?? 0;
  if (stored !== expected) {
    throw new PipelineError('conflict', `workspace: stored version ${stored}, the decision was made on ${expected}`, { ids: [], workspaceVersion: { stored, expected } });
  }
}

/** Locks the stored rows of these deals (id order) and returns their heads by id. */
export async function lockDeals(tx: PostgresQueryable, tenantId: string, ids: readonly string[]): Promise<Map<string, StoredHead>> {
  const one = ids.length === 1;
  const { rows } = await tx.query<{ id: string; version: number; visit_count: number; change_count: number | null }>(
    one ? LOCK_ONE_HEAD : LOCK_DEALS, [tenantId, one ? ids[0] : a(ids)]);
  return new Map(rows.map((r) => [r.id, { version: r.version, visitCount: r.visit_count, changeCount: r.change_count }]));
}

/** Refuses changes whose expected version is not the stored one, and tails that start past the stored visits. */
export function checkHeads(checked: readonly CheckedChange[], heads: ReadonlyMap<string, StoredHead>): void {
  const conflicts = checked.filter((c) => (c.expectedVersion === null ? heads.has(c.deal.id) : heads.get(c.deal.id)?.version !== c.expectedVersion)).map((c) => c.deal.id);
  if (conflicts.length > 0) {
    throw new PipelineError('conflict', `deals changed since they were read: ${conflicts.slice(0, 10).join(', ')}`, { ids: conflicts });
  }
  for (const c of checked) {
    const head = heads.get(c.deal.id);
    if (c.start > 0 && c.stored === null && head !== undefined && c.start > head.visitCount) pastStored(`changes[${c.index}].historyStart`, c.start, head.visitCount);
  }
}

/** Locks, checks and writes a chunk inside a transaction (see the top of this file). */
export async function saveChunk(tx: PostgresQueryable, ctx: Context, checked: readonly CheckedChange[], workspaceVersion: number | undefined, events: EventColumns): Promise<void> {
  // A large chunk is planned for its own arrays: a plan made for arrays of unknown size can join
  // them to the stored rows as a nested loop that rescans the arrays for every row.
  if (checked.length > LARGE_CHUNK) await tx.query(CUSTOM_PLANS);
  if (workspaceVersion !== undefined) await checkWorkspaceVersion(tx, ctx.tenantId, workspaceVersion);
  const heads = checked.length > 0 ? await lockDeals(tx, ctx.tenantId, checked.map((c) => c.deal.id)) : new Map<string, StoredHead>();
  checkHeads(checked, heads);
  // A checked workspace version above 0 means the workspace row exists, to anchor the inserts (writeDeals.ts).
  const anchored = workspaceVersion !== undefined && workspaceVersion > 0;
  await writeChunk(tx, ctx.tenantId, saveColumns(checked, heads), events, anchored);
}

/** Maps what a save's transaction threw: a deal inserted concurrently is a conflict on the new ids. */
export function saveError(error: unknown, checked: readonly CheckedChange[], ids: readonly string[]): PipelineError {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (e?.code === '23505' && (e.constraint === undefined || e.constraint === 'sp_deals_pkey')) {
    const created = checked.filter((c) => c.expectedVersion === null).map((c) => c.deal.id);
    return new PipelineError('conflict', `deals created concurrently: ${created.slice(0, 10).join(', ')}`, { ids: created }, { cause: error });
  }
  return storageError(error, 'deals.save', ids);
}

/** Sorts changes by deal id: two saves over the same deals take their row locks in the same order. */
export function byId(checked: CheckedChange[]): CheckedChange[] {
  return checked.sort((x, y) => (x.deal.id < y.deal.id ? -1 : x.deal.id > y.deal.id ? 1 : 0));
}

/**
 * Saves deals (and their events) in one transaction: all or nothing, rows locked in id order.
 * Throws `conflict` naming the ids whose stored version differs, or with `workspaceVersion`
 * details when the workspace changed since the decision.
 */
export async function saveDeals(ctx: Context, changes: readonly DealChange[], options?: DealSaveOptions): Promise<void> {
  const checked = byId(checkChanges(ctx, changes));
  const { workspaceVersion, events } = checkSaveOptions(options);
  if (checked.length === 0 && events.length === 0) return;
  const e = eventColumns(events, 'options.events');
  const ids = checked.map((c) => c.deal.id);
  try {
    await ctx.transaction((tx) => saveChunk(tx, ctx, checked, workspaceVersion, e));
  } catch (error) {
    throw saveError(error, checked, ids);
  }
  // The deals' versions rose: their tail reads are stale.
  for (const id of ids) ctx.tails.delete(id);
}

export { checkChanges };
