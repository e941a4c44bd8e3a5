import { PipelineError, type Deal, type DealChange, type DealSaveOptions } from '../../index.js';
import type { Context } from './context.js';
import { writeEvents } from './outbox.js';
import { checkDeal, dealColumns, rowHolds, visitParams } from './rows.js';
import { workspaceVersion } from './workspace.js';

type Head = [version: number, visitCount: number, layoutId: string];

function checkChanges(changes: readonly DealChange[]): DealChange[] {
  if (!Array.isArray(changes)) throw new PipelineError('invalid_input', 'changes: expected an array', { path: 'changes' });
  const seen = new Set<string>();
  changes.forEach((change, i) => {
    if (typeof change !== 'object' || change === null) throw new PipelineError('invalid_input', `changes[${i}]: expected { deal, expectedVersion }`, { path: `changes[${i}]` });
    checkDeal(change.deal, `changes[${i}].deal`);
    const ev = change.expectedVersion;
    if (ev !== null && !Number.isInteger(ev)) throw new PipelineError('invalid_input', `changes[${i}].expectedVersion: expected an integer or null`, { path: `changes[${i}].expectedVersion` });
    if (seen.has(change.deal.id)) throw new PipelineError('invalid_input', `changes: deal ${change.deal.id} appears twice`, { path: 'changes', dealId: change.deal.id });
    seen.add(change.deal.id);
  });
  // Rows are written in id order, so that saves over the same deals take their locks in one order.
  return [...changes].sort((a, b) => (a.deal.id < b.deal.id ? -1 : a.deal.id > b.deal.id ? 1 : 0));
}

/** The first seq at which the stored visits differ from `deal.history` (reducers append, so normally `old count - 1`). */
function firstChangedVisit(ctx: Context, deal: Deal, storedCount: number): number {
  const rows = ctx.sql.visitsOfDeal.all(ctx.tenantId, deal.id) as unknown[][];
  const n = Math.min(rows.length, deal.history.length, storedCount);
  for (let seq = 0; seq < n; seq++) if (!rowHolds(rows[seq]!, 0, deal.history[seq]!)) return seq;
  return n;
}

/** Writes a deal's row and the visits from `from` on, and removes stored visits past its history. */
function writeDeal(ctx: Context, deal: Deal, head: Head | undefined): void {
  const { tenantId, sql } = ctx;
  let from = 0;
  if (head === undefined) sql.dealInsert.run(tenantId, deal.id, ...dealColumns(deal));
  else {
    sql.dealUpdate.run(...dealColumns(deal), tenantId, deal.id);
    from = firstChangedVisit(ctx, deal, head[1]);
    if (deal.history.length < head[1]) sql.visitsTrim.run(tenantId, deal.id, deal.history.length);
    if (deal.layoutId !== head[2]) sql.visitsRelayout.run(deal.layoutId, tenantId, deal.id);
  }
  const h = deal.history;
  for (let seq = from; seq < h.length; seq++) sql.visitUpsert.run(...visitParams(tenantId, deal, seq, h[seq]!));
}

/**
 * The body of a deal save, run inside one IMMEDIATE transaction: the workspace version and every
 * deal version are checked before anything is written; a conflict throws and rolls back.
 */
export function saveDealsInTransaction(ctx: Context, input: readonly DealChange[], options: DealSaveOptions): void {
  const changes = checkChanges(input);
  if (options.workspaceVersion !== undefined) {
    const stored = workspaceVersion(ctx);
    if (stored !== options.workspaceVersion) {
      throw new PipelineError('conflict', `deals: the workspace changed since the decision (stored version ${stored}, expected ${options.workspaceVersion})`, {
        ids: [],
        workspaceVersion: { stored, expected: options.workspaceVersion },
      });
    }
  }
  const heads: (Head | undefined)[] = new Array(changes.length);
  const conflicts: string[] = [];
  for (let i = 0; i < changes.length; i++) {
    const { deal, expectedVersion } = changes[i]!;
    const head = ctx.sql.dealHead.get(ctx.tenantId, deal.id) as Head | undefined;
    if ((head?.[0] ?? null) !== expectedVersion) conflicts.push(deal.id);
    heads[i] = head;
  }
  if (conflicts.length > 0) {
    throw new PipelineError('conflict', `deals changed since they were read: ${conflicts.slice(0, 10).join(', ')}${conflicts.length > 10 ? ', …' : ''}`, { ids: conflicts });
  }
  for (let i = 0; i < changes.length; i++) writeDeal(ctx, changes[i]!.deal, heads[i]);
  writeEvents(ctx, options.events ?? [], 'options.events');
}
