import { PipelineError, type DealEvent, type OutboxRepository, type WorkspaceEvent } from 'sales-pipelines';
import type { PostgresQueryable } from './client.js';
import { guarded } from './driverErrors.js';

/** The outbox of one tenant: pending events by seq, marked delivered by seq. */
export function postgresOutbox(db: PostgresQueryable, tenantId: string): OutboxRepository {
  return {
    async pending(limit) {
      if (typeof limit !== 'number' || !(limit >= 1)) throw new PipelineError('invalid_input', 'limit: expected a number of at least 1', { path: 'limit' });
      const { rows } = await guarded('outbox.pending', () =>
        db.query<{ seq: string | number; body: string }>(
          'SELECT seq, body::text AS body FROM sp_outbox WHERE tenant_id = $1 AND delivered_at IS NULL ORDER BY seq LIMIT $2',
          [tenantId, Math.min(Math.floor(limit), 100_000)],
        ),
      );
      return rows.map((r) => ({ seq: Number(r.seq), event: JSON.parse(r.body) as WorkspaceEvent | DealEvent }));
    },
    async markDelivered(seqs) {
      if (!Array.isArray(seqs) || !seqs.every((s) => Number.isSafeInteger(s))) {
        throw new PipelineError('invalid_input', 'seqs: expected an array of integers', { path: 'seqs' });
      }
      if (seqs.length === 0) return;
      await guarded('outbox.markDelivered', () =>
        db.query('UPDATE sp_outbox SET delivered_at = $3 WHERE tenant_id = $1 AND seq = ANY($2::bigint[]) AND delivered_at IS NULL', [tenantId, seqs, Date.now()]),
      );
    },
  };
}
