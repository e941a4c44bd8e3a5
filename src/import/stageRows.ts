import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import type { ForecastCategory, Outcome } from '../model/stage.js';
import { assertDeals } from '../metrics/common.js';

/**
 * One row per (deal, stage visit): the shape warehouses and BI tools expect of stage history
 * (like Fivetran's `deal_stages` models). Instants are epoch milliseconds; `exitedAt` is null
 * and `current` true for the visit the deal is in now. Amount, probability, expected revenue and
 * closing date are the values when the deal entered the stage.
 *
 * @example
 * ```ts
 * const row: StageRow = toStageRows(deals)[0];
 * row.enteredAt; // 1714644000000
 * ```
 * @category Importers
 */
export interface StageRow {
  readonly dealId: string;
  readonly dealName: string;
  readonly layoutId: string;
  readonly pipelineId: string | null;
  readonly stageId: string;
  /** Position of the visit in the deal's history, from 0. */
  readonly visit: number;
  readonly enteredAt: number;
  readonly exitedAt: number | null;
  readonly current: boolean;
  readonly outcome: Outcome;
  readonly forecastCategory: ForecastCategory;
  readonly amount: number | null;
  readonly currency: string | null;
  readonly probability: number;
  readonly expectedRevenue: number | null;
  readonly closingDate: string | null;
  readonly by: string | null;
}

/**
 * The columns of a {@link StageRow}, in the order {@link toCsv} writes them.
 *
 * @example
 * ```ts
 * STAGE_ROW_COLUMNS[0]; // 'dealId'
 * ```
 * @category Importers
 */
export const STAGE_ROW_COLUMNS = [
  'dealId', 'dealName', 'layoutId', 'pipelineId', 'stageId', 'visit', 'enteredAt', 'exitedAt', 'current',
  'outcome', 'forecastCategory', 'amount', 'currency', 'probability', 'expectedRevenue', 'closingDate', 'by',
] as const satisfies readonly (keyof StageRow)[];

/**
 * Flattens deals' stage histories into one row per (deal, stage visit), deals in the given
 * order and visits oldest first. The deal's `layoutId` and `currency` are today's (a visit
 * records its own pipeline, not its layout).
 *
 * @param deals - deals with their history
 * @returns the rows
 * @example
 * ```ts
 * toStageRows(deals).filter((r) => r.current).map((r) => [r.dealId, r.stageId]);
 * // [['12345', 'closedwon'], ...]
 * ```
 * @category Importers
 * @function
 */
export const toStageRows = /* @__PURE__ */ guarded(function toStageRows(deals: readonly Deal[]): StageRow[] {
  assertDeals(deals);
  const rows: StageRow[] = [];
  for (const deal of deals) {
    deal.history.forEach((v, i) => {
      rows.push({
        dealId: deal.id,
        dealName: deal.name,
        layoutId: deal.layoutId,
        pipelineId: v.pipelineId,
        stageId: v.stageId,
        visit: i,
        enteredAt: v.enteredAt,
        exitedAt: v.exitedAt,
        current: v.exitedAt === null,
        outcome: v.outcome,
        forecastCategory: v.forecastCategory,
        amount: v.amount,
        currency: deal.currency,
        probability: v.probability,
        expectedRevenue: v.expectedRevenue,
        closingDate: v.closingDate,
        by: v.by,
      });
    });
  }
  return rows;
}, ['deals']);
