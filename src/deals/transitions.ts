import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Id } from '../model/primitives.js';
import { parseWith } from '../model/parse.js';
import { quickTarget } from '../model/quickParse.js';
import * as z from 'zod';
import { assertWorkspace } from '../workspace/validate.js';
import type { StageScope } from '../workspace/lookup.js';
import { judgeMove } from './decideMove.js';
import type { Violation } from './rules.js';
import { requireDealScope, requirePipelineScope, scopeOfDeal } from './scope.js';
import { assertDeal } from './shape.js';

/** A transition target: a stage, of the deal's pipeline or of `pipelineId`. */
export const TransitionTarget = z.strictObject({ pipelineId: Id.optional(), stageId: Id, lostReason: z.string().min(1).max(1000).optional() });

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
 */
export function checkTransition(
  ws: Workspace,
  deal: Deal,
  target: { pipelineId?: string; stageId: string; lostReason?: string },
): { allowed: boolean; violations: Violation[] } {
  assertWorkspace(ws);
  assertDeal(deal);
  const t = quickTarget(target) ?? parseWith(TransitionTarget, target, 'target');
  const scope = t.pipelineId === undefined ? requireDealScope(ws, deal) : requirePipelineScope(ws, t.pipelineId);
  if (!scope.slots.has(t.stageId)) {
    const where = scope.pipeline ? `pipeline ${scope.pipeline.id}` : `layout ${scope.layout.id}`;
    return { allowed: false, violations: [{ code: 'stage_not_in_pipeline', message: `stage ${t.stageId} is not in ${where}` }] };
  }
  const violations = violationsFor(ws, deal, scope, t.stageId, t.lostReason);
  return { allowed: violations.length === 0, violations };
}

/** Every rule a move of `deal` to `stageId` of `scope` breaks; none when it stays where it is. */
function violationsFor(ws: Workspace, deal: Deal, scope: StageScope, stageId: string, lostReason: string | undefined): Violation[] {
  const to = scope.slots.get(stageId);
  const own = (scope.pipeline?.id ?? null) === deal.pipelineId && scope.layout.id === deal.layoutId;
  if (!to || (own && stageId === deal.stageId)) return [];
  const reason = to.def.outcome === 'lost' ? lostReason : undefined;
  return judgeMove(ws, deal, scope, stageId, reason, own ? scope : scopeOfDeal(ws, deal)).violations;
}

/**
 * The legal drop targets for a deal in its own pipeline, in pipeline order, without its current
 * stage. A lost stage that requires a lost reason is listed (the reason comes with the move);
 * a stage whose required fields the deal lacks is not.
 *
 * @param ws - the workspace
 * @param deal - the deal
 * @returns stage ids the deal may move to now
 * @example
 * ```ts
 * // pipeline a → b → c → won, lost with allowSkip: false; deal in a
 * allowedStages(ws, deal); // ['b', 'lost']
 * ```
 */
export function allowedStages(ws: Workspace, deal: Deal): string[] {
  assertWorkspace(ws);
  assertDeal(deal);
  const scope = requireDealScope(ws, deal);
  return scope.order
    .filter((slot) => slot.stageId !== deal.stageId)
    .filter((slot) => violationsFor(ws, deal, scope, slot.stageId, undefined).every((v) => v.code === 'lost_reason_required'))
    .map((slot) => slot.stageId);
}

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
 */
export function suggestStageMap(ws: Workspace, fromPipelineId: string, toPipelineId: string): Record<string, string> {
  assertWorkspace(ws);
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
}

function nearestProbability<T extends { probability: number }>(candidates: readonly T[], probability: number): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (!best || Math.abs(c.probability - probability) < Math.abs(best.probability - probability)) best = c;
  }
  return best;
}
