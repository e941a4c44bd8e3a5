import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Id, Instant } from '../model/primitives.js';
import { conversionFunnel } from '../metrics/conversionFunnel.js';
import { movementStats } from '../metrics/movementStats.js';
import { assertDeals, checkWindow, DAY_MS, parseOptions } from '../metrics/common.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { indexOf } from '../workspace/lookup.js';

/**
 * Pipedrive's pipeline statistics in Pipedrive's own shapes, recomputed from the model.
 *
 * @example
 * ```ts
 * const s: PipedriveStatistics = toPipedriveStatistics(workspace, deals, { pipelineId: '1', from: '2024-01-01', to: '2024-04-01' });
 * s.conversion_statistics.won_conversion; // 25
 * ```
 * @category Importers
 */
export interface PipedriveStatistics {
  /** As `GET /v1/pipelines/{id}/conversion_statistics` → `data`. Rates in percent. */
  readonly conversion_statistics: {
    readonly stage_conversions: { readonly from_stage_id: string; readonly to_stage_id: string; readonly conversion_rate: number }[];
    readonly won_conversion: number;
    readonly lost_conversion: number;
  };
  /** As `GET /v1/pipelines/{id}/movement_statistics` → `data.average_age_in_days`. */
  readonly average_age_in_days: {
    readonly across_all_stages: number;
    readonly by_stages: { readonly stage_id: string; readonly value: number }[];
  };
}

const Options = z.strictObject({ pipelineId: Id, from: Instant, to: Instant });

/**
 * Recomputes the figures Pipedrive reports for a pipeline and a period `[from, to)`, so a team
 * can check the import against what Pipedrive shows.
 *
 * - `conversion_statistics` comes from {@link conversionFunnel}: for each pair of consecutive
 *   open stages, the share (percent) of the deals that reached the first and went past it;
 *   `won_conversion` / `lost_conversion` are the shares of the cohort won / lost. The cohort is
 *   the deals that entered the pipeline in the period. Pipedrive does not document its cohort;
 *   its figures match when it counts the deals added in the period, and differ for deals added
 *   earlier that moved during it (Pipedrive may count those; the funnel does not).
 * - `average_age_in_days`: the deals left open in the pipeline at the end of the period
 *   (`movementStats`' `leftOpen`), their mean age `to − createdAt` in days across all stages
 *   and per stage they are in at the end. Age counts from `add_time`, as Pipedrive's does.
 *   Stages without such deals are left out of `by_stages`; both are 0 when no deal is left open.
 *
 * The synthetic won and lost stages are not in `stage_conversions` (Pipedrive has no such stages).
 *
 * @param ws - the workspace from {@link fromPipedrive}
 * @param deals - the deals
 * @param opts - `{ pipelineId, from, to }`
 * @returns the statistics
 * @example
 * ```ts
 * toPipedriveStatistics(workspace, deals, { pipelineId: '1', from: '2024-01-01', to: '2024-04-01' });
 * // { conversion_statistics: { stage_conversions: [{ from_stage_id: '1', to_stage_id: '2', conversion_rate: 50 }], won_conversion: 25, lost_conversion: 25 },
 * //   average_age_in_days: { across_all_stages: 12.5, by_stages: [{ stage_id: '2', value: 12.5 }] } }
 * ```
 * @category Importers
 * @function
 */
export const toPipedriveStatistics = /* @__PURE__ */ guarded(function toPipedriveStatistics(ws: Workspace, deals: readonly Deal[], opts: { pipelineId: string; from: Date | number | string; to: Date | number | string }): PipedriveStatistics {
  ws = checkedWorkspace(ws);
  const o = parseOptions(Options, opts);
  checkWindow(o.from, o.to);
  assertDeals(deals);
  const funnel = conversionFunnel(ws, deals, o);
  const open = indexOf(ws).scopes.get(o.pipelineId)!.order.filter((s) => s.def.outcome === 'open');
  const rates = new Map(funnel.stages.map((s) => [s.stageId, s.conversionRate ?? 0]));
  const stage_conversions = open.slice(0, -1).map((s, i) => ({ from_stage_id: s.stageId, to_stage_id: open[i + 1]!.stageId, conversion_rate: percent(rates.get(s.stageId) ?? 0) }));
  const moves = movementStats(ws, deals, o);
  const byStage = new Map<string, number[]>();
  for (const deal of deals) {
    const t = o.to - 1;
    const visit = deal.history.find((v) => v.enteredAt <= t && (v.exitedAt === null || t < v.exitedAt));
    if (!visit || visit.pipelineId !== o.pipelineId || visit.outcome !== 'open') continue;
    const ages = byStage.get(visit.stageId);
    if (ages) ages.push((o.to - deal.createdAt) / DAY_MS);
    else byStage.set(visit.stageId, [(o.to - deal.createdAt) / DAY_MS]);
  }
  const order = new Map(open.map((s, i) => [s.stageId, i]));
  return {
    conversion_statistics: { stage_conversions, won_conversion: percent(funnel.wonRate ?? 0), lost_conversion: percent(funnel.lostRate ?? 0) },
    average_age_in_days: {
      across_all_stages: moves.averageAgeMs === null ? 0 : moves.averageAgeMs / DAY_MS,
      by_stages: [...byStage]
        .sort((a, b) => (order.get(a[0]) ?? 1e9) - (order.get(b[0]) ?? 1e9))
        .map(([stage_id, ages]) => ({ stage_id, value: ages.reduce((x, y) => x + y, 0) / ages.length })),
    },
  };
}, ['workspace', 'deals', 'opts']);

const percent = (rate: number): number => Math.round(rate * 10000) / 100;
