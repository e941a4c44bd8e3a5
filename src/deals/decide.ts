import { guarded } from '../_internal/guard.js';
import { fail } from '../errors.js';
import { DealCommand, type CommandContextInput, type Context, type DealCommandInput } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { parseContext, parseWith } from '../model/parse.js';
import { quickMoveToStage } from '../model/quickParse.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { decideCreateDeal } from './decideCreate.js';
import { decideCloseDeal, decideMoveToPipeline, decideMoveToStage, decideReopenDeal } from './decideMove.js';
import { decidePatchedMove } from './decidePatchedMove.js';
import { decideUpdateDeal } from './decideUpdate.js';
import type { DealEvent } from './events.js';
import { assertDeal } from './shape.js';

/**
 * Decides a deal command: checks the pipeline's rules and returns the events, or throws a
 * {@link PipelineError} (`transition_not_allowed` with every violation,
 * `required_fields_missing`, `lost_reason_required`, `stage_mapping_required`, …). A command
 * that would change nothing (moving to the current stage) returns no events.
 *
 * @param ws - the workspace (pipelines and rules)
 * @param deal - the deal, or null for `createDeal`
 * @param command - any deal command
 * @param ctx - `{ at, by? }`
 * @returns the events to apply with {@link evolveDeal}
 * @example
 * ```ts
 * const events = decideDeal(ws, deal, { type: 'moveToStage', stageId: 'quote' }, { at: '2026-03-02T10:00:00Z', by: 'ann' });
 * events[0].type; // 'dealStageChanged'
 * ```
 * @category Deals and rules
 * @function
 */
export const decideDeal = /* @__PURE__ */ guarded(function decideDeal(ws: Workspace, deal: Deal | null, command: DealCommandInput, ctx: CommandContextInput): DealEvent[] {
  ws = checkedWorkspace(ws);
  if (deal !== null) assertDeal(deal);
  const c = quickMoveToStage(command) ?? parseWith(DealCommand, command, 'command');
  return decideDealParsed(ws, deal, c, parseContext(ctx));
}, ['workspace', 'deal', 'command', 'ctx']);

/** {@link decideDeal} on arguments already validated. */
export function decideDealParsed(ws: Workspace, deal: Deal | null, c: DealCommand, ctx: Context): DealEvent[] {
  if (c.type === 'createDeal') {
    if (deal !== null) fail('duplicate_id', `deal ${deal.id} already exists`, { dealId: deal.id });
    return decideCreateDeal(ws, c, ctx);
  }
  if (deal === null) return fail('not_found', `command ${c.type} needs an existing deal`, {});
  if (ctx.at < deal.updatedAt) {
    fail('time_went_backwards', `ctx.at ${new Date(ctx.at).toISOString()} is before the deal's last change`, {
      dealId: deal.id,
      at: ctx.at,
      updatedAt: deal.updatedAt,
    });
  }
  switch (c.type) {
    case 'moveToStage':
      return c.patch === undefined ? decideMoveToStage(ws, deal, c, ctx) : decidePatchedMove(ws, deal, c, ctx);
    case 'moveToPipeline':
      return decideMoveToPipeline(ws, deal, c, ctx);
    case 'closeDeal':
      return decideCloseDeal(ws, deal, c, ctx);
    case 'reopenDeal':
      return decideReopenDeal(ws, deal, c, ctx);
    case 'updateDeal':
      return decideUpdateDeal(ws, deal, c, ctx);
  }
}
