import { fail, PipelineError } from '../errors.js';
import type { Context, DealCommand } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { Outcome } from '../model/stage.js';
import type { StageScope, StageSlot } from '../workspace/lookup.js';
import { dealEventId, type DealEvent, type StageChangeReason } from './events.js';
import { codeFor, moveViolations, type Violation } from './rules.js';
import { requireDealScope, requirePipelineScope, requireSlot, scopeName, scopeOfDeal } from './scope.js';

type Cmd<T extends DealCommand['type']> = Extract<DealCommand, { type: T }>;

/** A resolved move: target scope and stage, and the violations it would cause. */
export interface Move {
  readonly fromScope: StageScope | null;
  readonly from: StageSlot | null;
  readonly toScope: StageScope;
  readonly to: StageSlot;
  readonly lostReason: string | null;
  readonly violations: Violation[];
}

/** Judges a move of `deal` to `stageId` of `toScope`. */
export function judgeMove(
  ws: Workspace,
  deal: Deal,
  toScope: StageScope,
  stageId: string,
  lostReason: string | undefined,
  fromScope: StageScope | null = scopeOfDeal(ws, deal),
): Move {
  const to = requireSlot(toScope, stageId);
  if (lostReason !== undefined && to.def.outcome !== 'lost') {
    fail('invalid_input', `command.lostReason: only a move to a lost stage takes a lost reason (${stageId} is ${to.def.outcome})`, {
      path: 'command.lostReason',
    });
  }
  const from = fromScope?.slots.get(deal.stageId) ?? null;
  const reason = to.def.outcome === 'lost' ? (lostReason ?? deal.lostReason) : null;
  const violations = moveViolations({ fromScope, from, toScope, to, deal: deal as never, lostReason: reason });
  return { fromScope, from, toScope, to, lostReason: reason, violations };
}

/** Turns a judged move into its event, or throws when rules are broken and not bypassed. */
export function moveEvent(deal: Deal, move: Move, reason: StageChangeReason, bypass: boolean, ctx: Context): DealEvent[] {
  if (move.violations.length > 0 && !bypass) {
    const code = codeFor(move.violations);
    throw new PipelineError(code, `deal ${deal.id}: ${move.violations.map((v) => v.message).join('; ')}`, {
      dealId: deal.id,
      violations: move.violations,
    });
  }
  const fromOutcome = move.from?.def.outcome ?? deal.history[deal.history.length - 1]?.outcome ?? 'open';
  return [stageChangedEvent(deal, move.toScope, move.to, fromOutcome, move.lostReason, reason, bypass && move.violations.length > 0, ctx.at, ctx.by)];
}

/** The `dealStageChanged` event of a decided move of `deal` to the stage `to` of `toScope`. */
export function stageChangedEvent(
  deal: Deal,
  toScope: StageScope,
  to: StageSlot,
  fromOutcome: Outcome,
  lostReason: string | null,
  reason: StageChangeReason,
  bypassedRules: boolean,
  at: number,
  by: string | null,
): Extract<DealEvent, { type: 'dealStageChanged' }> {
  const version = deal.version + 1;
  return {
    type: 'dealStageChanged',
    id: dealEventId(deal.id, version),
    dealId: deal.id,
    at,
    by,
    version,
    reason,
    from: { layoutId: deal.layoutId, pipelineId: deal.pipelineId, stageId: deal.stageId, outcome: fromOutcome },
    to: { layoutId: toScope.layout.id, pipelineId: toScope.pipeline?.id ?? null, stageId: to.stageId, outcome: to.def.outcome },
    probability: to.probability,
    forecastCategory: to.def.forecastCategory,
    lostReason,
    bypassedRules,
  };
}

/** Whether a judged move would leave the deal where it is. */
export const isSamePlace = (deal: Deal, move: Move): boolean =>
  move.toScope.pipeline?.id === (deal.pipelineId ?? undefined) && move.to.stageId === deal.stageId && move.toScope.layout.id === deal.layoutId;

export function decideMoveToStage(ws: Workspace, deal: Deal, c: Cmd<'moveToStage'>, ctx: Context): DealEvent[] {
  const scope = requireDealScope(ws, deal);
  const move = judgeMove(ws, deal, scope, c.stageId, c.lostReason, scope);
  if (isSamePlace(deal, move)) return [];
  return moveEvent(deal, move, 'moveToStage', c.bypassRules === true, ctx);
}

/** The stage a deal lands in when moved to `target`: explicit, mapped, same id, else an error. */
export function resolveTargetStage(deal: Deal, target: StageScope, c: { stageId?: string | undefined; stageMap?: Record<string, string> | undefined }): string {
  if (c.stageId !== undefined) return c.stageId;
  const mapped = c.stageMap && Object.hasOwn(c.stageMap, deal.stageId) ? c.stageMap[deal.stageId] : undefined;
  if (mapped !== undefined) return mapped;
  if (target.slots.has(deal.stageId)) return deal.stageId;
  return fail('stage_mapping_required', `stage ${deal.stageId} of deal ${deal.id} is not in ${scopeName(target)}; choose a stage`, {
    dealId: deal.id,
    stageId: deal.stageId,
    pipelineId: target.pipeline?.id ?? null,
  });
}

export function decideMoveToPipeline(ws: Workspace, deal: Deal, c: Cmd<'moveToPipeline'>, ctx: Context): DealEvent[] {
  const target = requirePipelineScope(ws, c.pipelineId);
  const stageId = resolveTargetStage(deal, target, c);
  const move = judgeMove(ws, deal, target, stageId, c.lostReason);
  if (isSamePlace(deal, move)) return [];
  return moveEvent(deal, move, 'moveToPipeline', c.bypassRules === true, ctx);
}

export function decideCloseDeal(ws: Workspace, deal: Deal, c: Cmd<'closeDeal'>, ctx: Context): DealEvent[] {
  const scope = requireDealScope(ws, deal);
  if (c.outcome === 'won' && c.lostReason !== undefined) {
    fail('invalid_input', 'command.lostReason: a won deal takes no lost reason', { path: 'command.lostReason' });
  }
  const current = scope.slots.get(deal.stageId);
  if (c.stageId === undefined && current?.def.outcome === c.outcome) return [];
  const stageId = c.stageId ?? firstStageWith(scope, c.outcome);
  const move = judgeMove(ws, deal, scope, stageId, c.lostReason);
  if (move.to.def.outcome !== c.outcome) {
    fail('invalid_input', `command.stageId: stage ${stageId} is ${move.to.def.outcome}, not ${c.outcome}`, { path: 'command.stageId' });
  }
  if (isSamePlace(deal, move)) return [];
  return moveEvent(deal, move, 'closeDeal', c.bypassRules === true, ctx);
}

function firstStageWith(scope: StageScope, outcome: 'won' | 'lost'): string {
  const slot = scope.order.find((s) => s.def.outcome === outcome);
  return slot?.stageId ?? fail('stage_not_in_pipeline', `${scopeName(scope)} has no ${outcome} stage`, { pipelineId: scope.pipeline?.id ?? null, outcome });
}

export function decideReopenDeal(ws: Workspace, deal: Deal, c: Cmd<'reopenDeal'>, ctx: Context): DealEvent[] {
  const scope = requireDealScope(ws, deal);
  const current = scope.slots.get(deal.stageId);
  if (current?.def.outcome === 'open') {
    throw new PipelineError('transition_not_allowed', `deal ${deal.id} is open; only a closed deal can be reopened`, {
      dealId: deal.id,
      violations: [{ code: 'not_closed', message: `deal ${deal.id} is not closed` }],
    });
  }
  const move = judgeMove(ws, deal, scope, c.stageId, undefined);
  if (move.to.def.outcome !== 'open') {
    fail('invalid_input', `command.stageId: a deal is reopened into an open stage; ${c.stageId} is ${move.to.def.outcome}`, {
      path: 'command.stageId',
    });
  }
  // Reopening is judged by allowReopen alone: the order rules do not apply to a deal coming back.
  const violations = move.violations.filter((v) => v.code !== 'skip_not_allowed' && v.code !== 'backward_not_allowed' && v.code !== 'transition_not_in_graph');
  return moveEvent(deal, { ...move, violations }, 'reopenDeal', c.bypassRules === true, ctx);
}

