import * as z from 'zod';
import { guarded } from '../_internal/guard.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Instant } from '../model/primitives.js';
import { assertDeals, DAY_MS, parseOptions } from '../metrics/common.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { ModelBuilder } from './modelBuilder.js';
import type { PipelineModel } from './pipelineModel.js';

/** The default learning window: a year of moves. */
export const DEFAULT_WINDOW_DAYS = 365;

export const LearnOptions = z.strictObject({
  until: Instant,
  window: z.number().finite().positive().max(36_500).optional(),
});

/**
 * Learns a {@link PipelineModel} from the deals' recorded stage visits: per pipeline and stage,
 * the share of visits that went on to each next stage (won and lost stages included), the chance
 * of eventually winning, and the empirical time to the next stage and to close.
 *
 * Only what was known at `until` is used: a visit counts when it ended (the deal moved on) within
 * the `window` days before `until` (default 365); later moves, and visits still open at `until`,
 * are not read. Probabilities are learned, not typed in: compare `winProbability` with
 * `adminProbability` to see how far the admin's stage probabilities are from what happens.
 *
 * @param ws - the workspace (the admin's stage probabilities, for comparison)
 * @param deals - deals with their history
 * @param opts - `{ until, window? }`: the instant to learn as of and the window in days
 * @returns the model
 * @example
 * ```ts
 * const model = learnPipeline(ws, deals, { until: '2026-06-30T00:00:00Z', window: 180 });
 * model.stages.find((s) => s.stageId === 'quote');
 * // { pipelineId: 'new-cars', stageId: 'quote', adminProbability: 60, visits: 212, winProbability: 0.31,
 * //   next: [{ stageId: 'negotiation', probability: 0.52, ... }, { stageId: 'lost', probability: 0.48, ... }], ... }
 * ```
 * @category Forecast
 * @function
 */
export const learnPipeline = /* @__PURE__ */ guarded(function learnPipeline(
  ws: Workspace,
  deals: readonly Deal[],
  opts: { until: Date | number | string; window?: number },
): PipelineModel {
  ws = checkedWorkspace(ws);
  const o = parseOptions(LearnOptions, opts);
  assertDeals(deals);
  const builder = new ModelBuilder(o.until, (o.window ?? DEFAULT_WINDOW_DAYS) * DAY_MS);
  for (const deal of deals) builder.add(deal);
  return builder.build(ws);
}, ['workspace', 'deals', 'opts']);
