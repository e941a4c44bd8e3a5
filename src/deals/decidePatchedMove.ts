import { fail } from '../errors.js';
import type { Context, DealCommand } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { isSamePlace, judgeMove, moveEvent } from './decideMove.js';
import { decideUpdateDeal } from './decideUpdate.js';
import { updated } from './evolve.js';
import { dealEventId, type DealEvent } from './events.js';
import { requireDealScope } from './scope.js';

type Move = Extract<DealCommand, { type: 'moveToStage' }>;

/**
 * `moveToStage` with a `patch`: the fields are set and the deal moved in one decision, judged
 * against the target stage as the patch leaves the deal (so the patch can supply the fields the
 * stage requires). The events are a `dealUpdated` (index 0) then a `dealStageChanged` (index 1),
 * both at the one new version: applied in order they give the deal the command produces, and a
 * refusal of either refuses both.
 */
export function decidePatchedMove(ws: Workspace, deal: Deal, c: Move, ctx: Context): DealEvent[] {
  const patch = c.patch!;
  // The lost reason travels with the move, where the target stage can judge it.
  if (patch.lostReason !== undefined) {
    fail('invalid_input', 'command.patch.lostReason: a move takes its lost reason as command.lostReason', { path: 'command.patch.lostReason' });
  }
  const update = decideUpdateDeal(ws, deal, { type: 'updateDeal', patch, ...(c.bypassRules === undefined ? {} : { bypassRules: c.bypassRules }) }, ctx);
  const first = update[0];
  // The deal as the patch leaves it, still at its old version: the move's event takes the same new one.
  const patched: Deal = first === undefined || first.type !== 'dealUpdated' ? deal : { ...updated(deal, first), version: deal.version };
  const scope = requireDealScope(ws, patched);
  const move = judgeMove(ws, patched, scope, c.stageId, c.lostReason, scope);
  if (isSamePlace(deal, move)) return update;
  const [moved] = moveEvent(patched, move, 'moveToStage', c.bypassRules === true, ctx);
  if (first === undefined) return [moved!];
  return [first, { ...moved!, id: dealEventId(deal.id, deal.version + 1, 1) }];
}
