import { PipelineError } from '../../errors.js';
import { redactEvent } from '../../ports/erasure.js';
import type { DealErasure } from '../../ports/repositories.js';
import type { Context, Head } from './context.js';
import { writeEvents } from './outbox.js';
import { checkText } from './rows.js';

function invalid(path: string, what: string): never {
  throw new PipelineError('invalid_input', `${path}: ${what}`, { path });
}

/** Checks an erasure request before the transaction. */
export function checkErasure(id: unknown, erasure: DealErasure): void {
  if (typeof id !== 'string' || id.length === 0) invalid('id', 'expected a non-empty string');
  if (typeof erasure !== 'object' || erasure === null) invalid('erasure', 'expected { by, at, expectedVersion?, event }');
  if (erasure.by !== null && typeof erasure.by !== 'string') invalid('erasure.by', 'expected a string or null');
  if (!Number.isSafeInteger(erasure.at)) invalid('erasure.at', 'expected epoch milliseconds');
  if (erasure.expectedVersion !== undefined && (!Number.isSafeInteger(erasure.expectedVersion) || erasure.expectedVersion < 0)) invalid('erasure.expectedVersion', 'expected an integer of at least 0');
  const e = erasure.event as unknown as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null || e.type !== 'dealErased' || typeof e.id !== 'string' || !Number.isSafeInteger(e.version)) {
    invalid('erasure.event', "expected { type: 'dealErased', id, dealId, version, at, by }");
  }
  if (e.dealId !== id) invalid('erasure.event.dealId', `expected ${id}`);
  checkText(e.id as string, 'erasure.event.id');
}

/**
 * Erases a deal inside one IMMEDIATE transaction: its row and change log are deleted, its visits
 * lose their actor, every outbox row of the deal (pending or delivered) keeps only the redacted
 * event (and no delivery error text, which may quote the deal), and the erasure event joins the
 * deal's stream.
 */
export function eraseInTransaction(ctx: Context, id: string, erasure: DealErasure): void {
  const { tenantId, sql } = ctx;
  const head = sql.dealHead.get(tenantId, id) as Head | undefined;
  if (head === undefined) throw new PipelineError('not_found', `deal ${id} does not exist`, { dealId: id });
  if (erasure.expectedVersion !== undefined && erasure.expectedVersion !== head[0]) {
    throw new PipelineError('conflict', `deal ${id}: stored version ${head[0]}, expected ${erasure.expectedVersion}`, { ids: [id] });
  }
  const run = (statement: string, ...params: unknown[]) => ctx.cached(statement).run(...params);
  run('DELETE FROM sp_deals WHERE tenant_id = ? AND id = ?', tenantId, id);
  run('DELETE FROM sp_deal_changes WHERE tenant_id = ? AND deal_id = ?', tenantId, id);
  // A visit keeps stage, pipeline, times, amounts, probabilities, forecast category and outcome; its actor and closing date go.
  run('UPDATE sp_stage_visits SET "by" = NULL, closing_date = NULL WHERE tenant_id = ? AND deal_id = ?', tenantId, id);
  const events = ctx.cached('SELECT seq, body FROM sp_outbox INDEXED BY sp_outbox_by_deal WHERE tenant_id = ? AND deal_id = ?').raw().all(tenantId, id) as [number, string][];
  if (events.length > 0) {
    const redacted = events.map(([seq, body]) => [seq, JSON.stringify(redactEvent(JSON.parse(body) as Parameters<typeof redactEvent>[0]))]);
    run(`UPDATE sp_outbox SET body = j.value ->> 1, last_error = NULL FROM json_each(?) j WHERE sp_outbox.tenant_id = ? AND sp_outbox.seq = j.value ->> 0`, JSON.stringify(redacted), tenantId);
  }
  writeEvents(ctx, [erasure.event], 'erasure.event');
  ctx.recent.delete(id);
  ctx.tails.delete(id);
}
