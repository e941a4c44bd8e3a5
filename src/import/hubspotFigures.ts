import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import { timeInStages } from '../metrics/timeInStages.js';
import { assertDeal, assertHistory } from '../deals/shape.js';

/** The hs_v2_* stage properties of one deal, computed from its history (unchecked). */
export function hubSpotStageProperties(deal: Deal): Record<string, string> {
  const open = deal.history[deal.history.length - 1]!;
  // With `now` at the open visit's start, that visit counts 0: cumulative is over completed stays.
  const rows = timeInStages(deal, { now: open.enteredAt });
  const out: Record<string, string> = {};
  for (const row of rows) {
    const stays = deal.history.filter((v) => v.stageId === row.stageId);
    const cumulative = Number(out[`hs_v2_cumulative_time_in_${row.stageId}`] ?? 0) + row.cumulativeMs;
    const lastEntry = stays[stays.length - 1]!;
    const lastDone = stays.filter((v) => v.exitedAt !== null).pop();
    out[`hs_v2_date_entered_${row.stageId}`] = new Date(lastEntry.enteredAt).toISOString();
    if (lastDone) {
      out[`hs_v2_date_exited_${row.stageId}`] = new Date(lastDone.exitedAt!).toISOString();
      out[`hs_v2_latest_time_in_${row.stageId}`] = String(lastDone.exitedAt! - lastDone.enteredAt);
    }
    out[`hs_v2_cumulative_time_in_${row.stageId}`] = String(cumulative);
  }
  return out;
}

/**
 * HubSpot's stage-calculated properties of a deal, recomputed from its history, to compare with
 * the values HubSpot shows (values are strings, as in HubSpot's API):
 * - `hs_v2_date_entered_<stageId>`: the last time the deal entered the stage (ISO-8601 UTC);
 * - `hs_v2_date_exited_<stageId>`: the last time it left the stage, once it has;
 * - `hs_v2_latest_time_in_<stageId>`: milliseconds of the most recent completed stay;
 * - `hs_v2_cumulative_time_in_<stageId>`: milliseconds of all completed stays, re-entries and
 *   close-then-reopen included (from {@link timeInStages}).
 *
 * Definitions differ from `timeInStages` in one respect, HubSpot's: its properties count
 * completed stays only, so the stage the deal is in adds nothing until it leaves (HubSpot's
 * `hs_v2_time_in_current_stage` covers that stay), whereas `timeInStages` counts the open stay up
 * to `now`. Stage ids are unique across HubSpot pipelines, so a stage's stays in every pipeline add up.
 *
 * @param deal - a deal, typically from {@link fromHubSpot}
 * @returns the properties, keyed by HubSpot's names
 * @example
 * ```ts
 * toHubSpotTimeProperties(deal)['hs_v2_cumulative_time_in_qualifiedtobuy']; // '1904400000'
 * ```
 * @category Importers
 * @function
 */
export const toHubSpotTimeProperties = /* @__PURE__ */ guarded(function toHubSpotTimeProperties(deal: Deal): Record<string, string> {
  assertDeal(deal);
  assertHistory(deal);
  return hubSpotStageProperties(deal);
}, ['deal']);
