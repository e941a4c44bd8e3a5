import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { stageChangedEvent } from './decideMove.js';
import { stageChanged } from './evolve.js';
import type { DealEvent } from './events.js';
import { moveAllowed } from './rules.js';
import { scopeOfDeal } from './scope.js';

/**
 * A `moveToStage` that breaks no rule, decided and applied in one step: the same event and deal as
 * `decideMoveToStage` then `evolveDeal`, without the intermediate move and violation lists. Null
 * when the move is anything else (refused, bypassing, a no-op, an unknown stage, time going
 * backwards): the general path decides those and reports them.
 */
export function applyAllowedMove(
  ws: Workspace,
  deal: Deal,
  stageId: string,
  lostReasonInput: string | undefined,
  at: number,
  by: string | null,
): { deal: Deal; events: DealEvent[] } | null {
  if (at < deal.updatedAt) return null;
  const scope = scopeOfDeal(ws, deal);
  if (scope === null || scope.layout.id !== deal.layoutId) return null;
  const to = scope.slots.get(stageId);
  const from = scope.slots.get(deal.stageId);
  if (to === undefined || from === undefined || to === from) return null;
  const lost = to.def.outcome === 'lost';
  if (lostReasonInput !== undefined && !lost) return null;
  const lostReason = lost ? (lostReasonInput ?? deal.lostReason) : null;
  if (!moveAllowed(scope, from, to, deal as never, lostReason)) return null;
  const event = stageChangedEvent(deal, scope, to, from.def.outcome, lostReason, 'moveToStage', false, at, by);
  return { deal: stageChanged(deal, event), events: [event] };
}
