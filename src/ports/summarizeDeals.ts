import type { Deal } from '../model/deal.js';
import type { StageSummaryRow, SummaryQuery } from './repositories.js';

type Row = { stageId: string; currency: string | null; count: number; amount: number; weighted: number; rotting: number };

/**
 * Accumulates `StageSummaryRow`s of one pipeline from deals, for stores that summarize in code
 * (the memory store) and for the service when a store has no `summarize`.
 */
export class StageSummary {
  private readonly rows = new Map<string, Row>();
  constructor(private readonly q: SummaryQuery) {}

  add(deal: Deal): void {
    if (deal.pipelineId !== this.q.pipelineId) return;
    const key = `${deal.stageId}\u0000${deal.currency === null ? '\u0000' : deal.currency}`;
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = { stageId: deal.stageId, currency: deal.currency, count: 0, amount: 0, weighted: 0, rotting: 0 }));
    const amount = deal.amount ?? 0;
    row.count++;
    row.amount += amount;
    row.weighted += (amount * deal.probability) / 100;
    const before = Object.hasOwn(this.q.rottingBefore, deal.stageId) ? this.q.rottingBefore[deal.stageId] : undefined;
    if (before !== undefined && deal.history[deal.history.length - 1]!.enteredAt < before) row.rotting++;
  }

  result(): StageSummaryRow[] {
    return [...this.rows.values()];
  }
}
