import { PipelineError, type DealEvent, type OutboxEntry, type OutboxRepository, type WorkspaceEvent } from '../../index.js';
import type { Context } from './context.js';
import { guarded } from './errors.js';
import { checkText } from './rows.js';

/** Appends events to the tenant's outbox (inside the caller's transaction). */
export function writeEvents(ctx: Context, events: readonly (WorkspaceEvent | DealEvent)[], path: string): void {
  if (!Array.isArray(events)) throw new PipelineError('invalid_input', `${path}: expected an array of events`, { path });
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as unknown as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.type !== 'string' || !Number.isInteger(e.version)) {
      throw new PipelineError('invalid_input', `${path}[${i}]: expected an event with id, type and version`, { path: `${path}[${i}]` });
    }
    checkText(e.id, `${path}[${i}].id`);
    const dealId = typeof e.dealId === 'string' ? e.dealId : null;
    ctx.sql.outboxInsert.run(ctx.tenantId, e.id, dealId, e.version, JSON.stringify(e));
  }
}

/** The tenant's outbox: pending events oldest first, and marking them delivered. */
export function sqliteOutbox(ctx: Context): OutboxRepository {
  const mark = ctx.db.transaction((seqs: readonly number[], at: number) => {
    for (const seq of seqs) ctx.sql.outboxMark.run(at, ctx.tenantId, seq);
  });
  return {
    pending(limit) {
      return guarded('outbox.pending', () => {
        if (!Number.isFinite(limit) || limit < 1) throw new PipelineError('invalid_input', 'limit: expected a positive number', { path: 'limit' });
        const rows = ctx.sql.outboxPending.all(ctx.tenantId, Math.floor(limit)) as [number, string][];
        return rows.map(([seq, body]): OutboxEntry => ({ seq, event: JSON.parse(body) as OutboxEntry['event'] }));
      });
    },
    markDelivered(seqs) {
      return guarded('outbox.markDelivered', () => {
        if (!Array.isArray(seqs)) throw new PipelineError('invalid_input', 'seqs: expected an array of numbers', { path: 'seqs' });
        const valid = seqs.filter((s): s is number => Number.isInteger(s));
        if (valid.length !== seqs.length) throw new PipelineError('invalid_input', 'seqs: expected integers', { path: 'seqs' });
        if (valid.length > 0) mark.immediate(valid, Date.now());
      });
    },
  };
}
