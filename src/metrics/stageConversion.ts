import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import { fail } from '../errors.js';
import type { Deal, StageVisit } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Id } from '../model/primitives.js';
import { indexOf, type StageScope, type StageSlot } from '../workspace/lookup.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { assertDeals, checkWindow, parseOptions, tallied, WindowShape, type Tally } from './common.js';

/**
 * The conversion from one stage to another.
 *
 * @example
 * ```ts
 * stageConversion(ws, deals, { pipelineId, from, to }).stageConversions.filter((c: StageConversion) => c.toStageId === 'won');
 * ```
 * @category Metrics
 */
export interface StageConversion {
  readonly fromStageId: string;
  readonly toStageId: string;
  /** The stages' names (from their layout). */
  readonly fromStageName: string;
  readonly toStageName: string;
  /** Deals that entered `fromStageId` in the period (the cohort). */
  readonly entered: number;
  /** Of those, deals that reached `toStageId` afterwards, before the end of the period. */
  readonly converted: number;
  /** converted / entered, 0 to 1; null for an empty cohort. */
  readonly conversionRate: number | null;
}

/**
 * Stage-to-stage and pipeline-to-close conversion of one pipeline over a period.
 *
 * @example
 * ```ts
 * const { wonConversion }: StageConversionStats = stageConversion(ws, deals, { pipelineId: 'new-cars', from, to });
 * ```
 * @category Metrics
 */
export interface StageConversionStats {
  readonly pipelineId: string;
  /** Deals that entered the pipeline in the period (the cohort of `wonConversion` and `lostConversion`). */
  readonly deals: number;
  readonly stageConversions: StageConversion[];
  /** Cohort deals won in the pipeline before the end of the period / cohort; null when empty. */
  readonly wonConversion: number | null;
  /** Cohort deals lost in the pipeline before the end of the period / cohort; null when empty. */
  readonly lostConversion: number | null;
}

const ConversionOptions = z.strictObject({ ...WindowShape, pipelineId: Id });

/**
 * Stage-to-stage conversion rates of one pipeline, comparable with Pipedrive's
 * `conversion_statistics` (`stage_conversions[{ from_stage_id, to_stage_id, conversion_rate }]`,
 * `won_conversion`, `lost_conversion`; rates here are fractions, not percentages).
 *
 * Cohorts. For a pair (A, B), the cohort is the deals whose first visit to A of this pipeline in
 * the period `[from, to)` began in it ("entered A in the period"). A deal *converted* when, after that
 * visit and before `to`, it entered B — for an open B, B or any later open stage or a won stage
 * (skipping a stage still counts as getting past it, as in {@link conversionFunnel}); for a won or
 * lost B, B itself. Pairs are every open stage A with every later open stage and with every won and
 * lost stage, in pipeline order. `wonConversion` / `lostConversion` take the deals that entered the
 * pipeline in the period (were created in it or moved into it) and count those that entered a won /
 * lost stage of it before `to`. Only visits of this pipeline count.
 *
 * Worked example: stages a → b → c, won, lost; period March. Deal 1 entered a on 2 March, b on
 * 5 March, won on 20 March; deal 2 entered a on 3 March, lost on 4 March; deal 3 entered a in
 * February and b on 6 March. a → b: entered 2, converted 1 (0.5); b → c: entered 2 (deals 1, 3),
 * converted 1 (deal 1 won, which is past c); a → won: 1 of 2; cohort of the pipeline: deals 1 and 2;
 * wonConversion 0.5, lostConversion 0.5.
 *
 * @param ws - the workspace (stage order of the pipeline)
 * @param deals - the deals
 * @param opts - `{ pipelineId, from, to }`
 * @returns the conversions
 * @example
 * ```ts
 * stageConversion(ws, deals, { pipelineId: 'new-cars', from: '2026-03-01', to: '2026-04-01' }).stageConversions[0];
 * // { fromStageId: 'requirements', toStageId: 'test-drive', entered: 40, converted: 31, conversionRate: 0.775 }
 * ```
 * @category Metrics
 * @function
 */
export const stageConversion = /* @__PURE__ */ guarded(function stageConversion(
  ws: Workspace,
  deals: readonly Deal[],
  opts: { pipelineId: string; from: Date | number | string; to: Date | number | string },
): StageConversionStats {
  const tally = conversionTally(ws, opts);
  assertDeals(deals);
  return tallied(tally, deals);
}, ['workspace', 'deals', 'opts']);

/** Stage conversion as a {@link Tally}: counts per pair of stages, deal by deal. */
export function conversionTally(ws: Workspace, opts: unknown): Tally<StageConversionStats> {
  ws = checkedWorkspace(ws);
  const o = parseOptions(ConversionOptions, opts);
  checkWindow(o.from, o.to);
  const scope = indexOf(ws).scopes.get(o.pipelineId) ?? fail('not_found', `pipeline ${o.pipelineId} does not exist`, { pipelineId: o.pipelineId });
  const pairs = pairsOf(scope);
  const entered = new Array<number>(pairs.length).fill(0);
  const converted = new Array<number>(pairs.length).fill(0);
  let cohort = 0;
  let won = 0;
  let lost = 0;
  const inWindow = (v: StageVisit): boolean => v.pipelineId === o.pipelineId && v.enteredAt >= o.from && v.enteredAt < o.to;
  return {
    add(deal) {
      const h = deal.history;
      const arrival = h.findIndex((v, i) => inWindow(v) && (i === 0 || h[i - 1]!.pipelineId !== o.pipelineId));
      if (arrival >= 0) {
        cohort++;
        const later = h.slice(arrival).filter((v) => v.pipelineId === o.pipelineId && v.enteredAt < o.to);
        if (later.some((v) => scope.slots.get(v.stageId)?.def.outcome === 'won')) won++;
        if (later.some((v) => scope.slots.get(v.stageId)?.def.outcome === 'lost')) lost++;
      }
      pairs.forEach(([a, b], k) => {
        const start = h.findIndex((v) => v.stageId === a.stageId && inWindow(v));
        if (start < 0) return;
        entered[k]!++;
        for (let j = start + 1; j < h.length; j++) {
          const v = h[j]!;
          if (v.pipelineId !== o.pipelineId || v.enteredAt >= o.to) continue;
          if (reaches(scope.slots.get(v.stageId), b)) {
            converted[k]!++;
            return;
          }
        }
      });
    },
    result() {
      return {
        pipelineId: o.pipelineId,
        deals: cohort,
        stageConversions: pairs.map(([a, b], k) => ({
          fromStageId: a.stageId,
          toStageId: b.stageId,
          fromStageName: a.def.name,
          toStageName: b.def.name,
          entered: entered[k]!,
          converted: converted[k]!,
          conversionRate: entered[k] === 0 ? null : converted[k]! / entered[k]!,
        })),
        wonConversion: cohort === 0 ? null : won / cohort,
        lostConversion: cohort === 0 ? null : lost / cohort,
      };
    },
  };
}

/** Every open stage with every later open stage and every closed stage, in pipeline order. */
function pairsOf(scope: StageScope): [StageSlot, StageSlot][] {
  const out: [StageSlot, StageSlot][] = [];
  for (const a of scope.order) {
    if (a.def.outcome !== 'open') continue;
    for (const b of scope.order) {
      if (b === a) continue;
      if (b.def.outcome !== 'open' || b.openPosition > a.openPosition) out.push([a, b]);
    }
  }
  return out;
}

/** Whether entering `slot` counts as reaching `target`. */
function reaches(slot: StageSlot | undefined, target: StageSlot): boolean {
  if (!slot) return false;
  if (target.def.outcome !== 'open') return slot.stageId === target.stageId;
  return slot.def.outcome === 'won' || (slot.def.outcome === 'open' && slot.openPosition >= target.openPosition);
}
