import { guarded, toBoundaryError } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Id, LostReasonText } from '../model/primitives.js';
import { parseWith } from '../model/parse.js';
import { quickTarget } from '../model/quickParse.js';
import * as z from 'zod';
import { checkedWorkspace } from '../workspace/validate.js';
import type { StageScope, StageSlot } from '../workspace/lookup.js';
import { moveAllowed, moveViolations, type Violation } from './rules.js';
import { knownWorkspace, requireDealScope, requirePipelineScope, scopeOfDeal } from './scope.js';
import { assertDeal } from './shape.js';

/** A transition target: a stage, of the deal's pipeline or of `pipelineId`. */
export const TransitionTarget = z.strictObject({ pipelineId: Id.optional(), stageId: Id, lostReason: LostReasonText.optional() });

/**
 * Checks whether a deal may move to a stage (of its pipeline, or of `pipelineId`), returning
 * every violation rather than the first, for UIs that explain why a drop is refused. Moving to
 * the current stage is allowed (it changes nothing).
 *
 * @param ws - the workspace
 * @param deal - the deal
 * @param target - `{ stageId, pipelineId?, lostReason? }`
 * @returns `{ allowed, violations }`
 * @example
 * ```ts
 * checkTransition(ws, deal, { stageId: 'negotiation' });
 * // { allowed: false, violations: [{ code: 'skip_not_allowed', message: 'moving from requirements to negotiation skips stages' },
 * //                                { code: 'required_fields_missing', message: 'stage negotiation requires amount', fields: ['amount'] }] }
 * ```
 * @category Deals and rules
 */
export function checkTransition(
  ws: Workspace,
  deal: Deal,
  target: { pipelineId?: string; stageId: string; lostReason?: string },
): { allowed: boolean; violations: Violation[] } {
  // The boundary written out rather than through `guarded`: a board asks this for every card.
  try {
    ws = knownWorkspace(ws);
    assertDeal(deal);
    const t = quickTarget(target) ?? parseWith(TransitionTarget, target, 'target');
    const scope = t.pipelineId === undefined ? requireDealScope(ws, deal) : requirePipelineScope(ws, t.pipelineId);
    const to = scope.slots.get(t.stageId);
    if (!to) {
      const where = scope.pipeline ? `pipeline ${scope.pipeline.id}` : `layout ${scope.layout.id}`;
      return { allowed: false, violations: [{ code: 'stage_not_in_pipeline', message: `stage ${t.stageId} is not in ${where}` }] };
    }
    const violations = violationsFor(ws, deal, scope, to, t.lostReason);
    return { allowed: violations.length === 0, violations };
  } catch (e) {
    throw toBoundaryError(e, 'checkTransition', CHECK_LABELS, [ws, deal, target]);
  }
}

const CHECK_LABELS = ['workspace', 'deal', 'target'] as const;

/** Every rule a move of `deal` to the stage `to` of `scope` breaks; none when it stays where it is. */
function violationsFor(ws: Workspace, deal: Deal, scope: StageScope, to: StageSlot, lostReason: string | undefined): Violation[] {
  const own = (scope.pipeline?.id ?? null) === deal.pipelineId && scope.layout.id === deal.layoutId;
  if (own && to.stageId === deal.stageId) return [];
  // judgeMove without its checks of the command (a lost reason only for a lost stage holds here)
  // and without building a Move: a board asks this for every card and every column.
  const fromScope = own ? scope : scopeOfDeal(ws, deal);
  const from = fromScope?.slots.get(deal.stageId) ?? null;
  const reason = to.def.outcome === 'lost' ? (lostReason ?? deal.lostReason) : null;
  if (own && from !== null && moveAllowed(scope, from, to, deal as never, reason)) return [];
  return moveViolations({ fromScope, from, toScope: scope, to, deal: deal as never, lostReason: reason });
}

/**
 * The legal drop targets for a deal in its own pipeline, in pipeline order, without its current
 * stage: exactly the stages `checkTransition(ws, deal, { stageId })` allows as the deal is now.
 * A stage that needs input first (a lost reason, missing required fields) is not listed; ask
 * {@link stageOptions} for those and what they need.
 *
 * @param ws - the workspace
 * @param deal - the deal
 * @returns stage ids the deal may move to now
 * @example
 * ```ts
 * // pipeline a → b → c → won, lost with allowSkip: false; deal in a
 * allowedStages(ws, deal); // ['b', 'lost']
 * ```
 * @category Deals and rules
 * @function
 */
export const allowedStages = /* @__PURE__ */ guarded(function allowedStages(ws: Workspace, deal: Deal): string[] {
  ws = checkedWorkspace(ws);
  assertDeal(deal);
  const scope = requireDealScope(ws, deal);
  return scope.order
    .filter((slot) => slot.stageId !== deal.stageId && violationsFor(ws, deal, scope, slot, undefined).length === 0)
    .map((slot) => slot.stageId);
}, ['workspace', 'deal']);

/**
 * One stage of a deal's pipeline as a drop target: whether the deal may move there now, what
 * input would lift the violations that input can lift, and every violation.
 *
 * @example
 * ```ts
 * const lost: StageOption | undefined = stageOptions(ws, deal).find((o) => o.stageId === 'lost');
 * if (lost && !lost.allowed && lost.needs.lostReason) askForLostReason();
 * ```
 * @category Deals and rules
 */
export interface StageOption {
  readonly stageId: string;
  /** The move is allowed as the deal is now (what `checkTransition` says without a lost reason). */
  readonly allowed: boolean;
  /** What the move needs from the user: a lost reason, fields to fill in. */
  readonly needs: { readonly lostReason: boolean; readonly fields: string[] };
  /** Every rule the move breaks as the deal is now, as in `checkTransition`. */
  readonly violations: Violation[];
}

/**
 * Every stage of the deal's pipeline as a drop target, in pipeline order (the current stage is
 * allowed, with nothing needed): for a board that highlights legal columns and, after a refused
 * drop, asks for exactly what is missing. A stage whose violations all carry `needs` accepts the
 * move once the user supplies them; others are closed by the pipeline's rules.
 * Consistent with {@link allowedStages} (a stage is listed there iff its option is allowed with
 * nothing needed) and {@link checkTransition} (same violations).
 *
 * @param ws - the workspace
 * @param deal - the deal
 * @returns one option per stage of the deal's pipeline
 * @example
 * ```ts
 * stageOptions(ws, deal).find((o) => o.stageId === 'lost');
 * // { stageId: 'lost', allowed: false, needs: { lostReason: true, fields: [] },
 * //   violations: [{ code: 'lost_reason_required', message: 'requireLostReason: lost needs a lost reason', needs: { lostReason: true } }] }
 * ```
 * @category Deals and rules
 * @function
 */
export const stageOptions = /* @__PURE__ */ guarded(function stageOptions(ws: Workspace, deal: Deal): StageOption[] {
  ws = checkedWorkspace(ws);
  assertDeal(deal);
  const scope = requireDealScope(ws, deal);
  return scope.order.map((slot): StageOption => {
    const violations = violationsFor(ws, deal, scope, slot, undefined);
    const fields = new Set<string>();
    let lostReason = false;
    for (const v of violations) {
      if (v.needs?.lostReason) lostReason = true;
      for (const f of v.needs?.fields ?? []) fields.add(f);
    }
    return { stageId: slot.stageId, allowed: violations.length === 0, needs: { lostReason, fields: [...fields] }, violations };
  });
}, ['workspace', 'deal']);

/**
 * Suggests where each stage of one pipeline goes in another, for moves and transfers: the same
 * stage id, else a stage with the same name (ignoring case), else a stage with the same outcome
 * and the nearest probability (the earlier stage on a tie), else the nearest probability.
 *
 * @param ws - the workspace
 * @param fromPipelineId - the pipeline deals leave
 * @param toPipelineId - the pipeline they enter
 * @returns a complete map from every stage of `from` to a stage of `to`
 * @example
 * ```ts
 * suggestStageMap(ws, 'used-cars', 'new-cars');
 * // { 'show-models': 'requirements', 'test-drive': 'test-drive', quote: 'quote', ... }
 * ```
 * @category Deals and rules
 * @function
 */
export const suggestStageMap = /* @__PURE__ */ guarded(function suggestStageMap(ws: Workspace, fromPipelineId: string, toPipelineId: string): Record<string, string> {
  ws = checkedWorkspace(ws);
  const from = requirePipelineScope(ws, parseWith(Id, fromPipelineId, 'fromPipelineId'));
  const to = requirePipelineScope(ws, parseWith(Id, toPipelineId, 'toPipelineId'));
  const map: Record<string, string> = {};
  for (const slot of from.order) {
    const same = to.slots.get(slot.stageId);
    const named = to.order.find((s) => s.def.name.trim().toLowerCase() === slot.def.name.trim().toLowerCase());
    const sameOutcome = to.order.filter((s) => s.def.outcome === slot.def.outcome);
    const nearest = nearestProbability(sameOutcome.length > 0 ? sameOutcome : to.order, slot.probability);
    const choice = same ?? named ?? nearest;
    if (!choice) throw new PipelineError('not_found', `pipeline ${toPipelineId} has no stage`, { pipelineId: toPipelineId });
    map[slot.stageId] = choice.stageId;
  }
  return map;
}, ['workspace', 'fromPipelineId', 'toPipelineId']);

function nearestProbability<T extends { probability: number }>(candidates: readonly T[], probability: number): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (!best || Math.abs(c.probability - probability) < Math.abs(best.probability - probability)) best = c;
  }
  return best;
}
