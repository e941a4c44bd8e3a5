import { guarded, malformed, toBoundaryError } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import { DealCommand, type CommandContextInput, type Context, type DealCommandInput } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { parseContext, parseWith, quickContext } from '../model/parse.js';
import { quickMove } from '../model/quickParse.js';
import { applyAllowedMove } from './applyMove.js';
import { knownWorkspace } from './scope.js';
import { decideDealParsed } from './decide.js';
import { assertDealEvent, evolveTrusted, stageChanged, updated } from './evolve.js';
import type { DealEvent } from './events.js';
import { assertDeal } from './shape.js';

/**
 * Decides a deal command and applies its events. A refused command throws and changes nothing;
 * a command with nothing to do returns the same deal and no events.
 *
 * @param ws - the workspace
 * @param deal - the deal, or null for `createDeal`
 * @param command - any deal command
 * @param ctx - `{ at, by? }`
 * @returns the deal after the command and its events
 * @example
 * ```ts
 * const { deal } = applyDeal(ws, null, {
 *   type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', pipelineId: 'new-cars', name: 'Fleet of 3', amount: 90000, currency: 'EUR' },
 * }, { at: '2026-03-01T09:00:00Z', by: 'ann' });
 * deal.stageId; // 'requirements' (the pipeline's first stage)
 * ```
 * @category Deals and rules
 */
export function applyDeal(
  ws: Workspace,
  deal: Deal | null,
  command: DealCommandInput,
  ctx: CommandContextInput,
): { deal: Deal; events: DealEvent[] } {
  // The boundary written out rather than through `guarded`: this is the hottest public call.
  try {
    ws = knownWorkspace(ws);
    if (deal !== null) assertDeal(deal);
    const quick = quickMove(command);
    // The command a board sends most, when it breaks no rule, skips the general path; its checked
    // command and context stay in locals, so no object is made for either. The context is read
    // once, whichever path runs.
    let read: Context | null = null;
    if (quick !== null && deal !== null) {
      read = quickContext(ctx);
      if (read !== null) {
        const { at, by } = read;
        const moved = typeof quick === 'string'
          ? applyAllowedMove(ws, deal, quick, undefined, at, by)
          : applyAllowedMove(ws, deal, quick.stageId, quick.lostReason, at, by);
        if (moved !== null) return moved;
      }
    }
    const c = typeof quick === 'string' ? { type: 'moveToStage' as const, stageId: quick } : (quick ?? parseWith(DealCommand, command, 'command'));
    const events = decideDealParsed(ws, deal, c, read ?? parseContext(ctx));
    return { deal: applyEvents(deal, events, c.type), events };
  } catch (e) {
    throw toBoundaryError(e, 'applyDeal', APPLY_LABELS, [ws, deal, command, ctx]);
  }
}

const APPLY_LABELS = ['workspace', 'deal', 'command', 'ctx'] as const;

/** Applies decided events; used by applyDeal and bulk planning. */
export function applyEvents(deal: Deal | null, events: readonly DealEvent[], label: string): Deal {
  let next = deal;
  for (const e of events) next = evolveTrusted(next, e);
  if (next === null) throw new PipelineError('not_found', `command ${label} needs an existing deal`, {});
  return next;
}

/**
 * Rebuilds a deal from its events.
 *
 * @param events - every event of one deal, in order, starting with `dealCreated`
 * @returns the deal they produce
 * @example
 * ```ts
 * replayDeal([...created.events, ...moved.events]); // deep-equals moved.deal
 * ```
 * @category Deals and rules
 * @function
 */
export const replayDeal = /* @__PURE__ */ guarded(function replayDeal(events: readonly DealEvent[]): Deal {
  if (!Array.isArray(events) || events.length === 0) {
    throw new PipelineError('invalid_input', 'events: expected a non-empty array of deal events', { path: 'events' });
  }
  let deal: Deal | null = null;
  // Arrays created during this replay (the history, the change log) are its own until it returns:
  // later events append to them in place instead of copying them, so a replay is linear in the
  // number of events.
  let ownedHistory: unknown = null;
  let ownedLog: unknown = null;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const label = `events[${i}]`;
    assertDealEvent(e, label);
    try {
      const ownsLog = deal !== null && deal.changes !== undefined && deal.changes === ownedLog;
      if (e.type === 'dealStageChanged' && deal !== null && deal.history === ownedHistory) deal = stageChanged(deal, e, true, ownsLog);
      else if (e.type === 'dealUpdated' && deal !== null && ownsLog) deal = updated(deal, e, true);
      else deal = evolveTrusted(deal, e);
      // Whatever evolve built afresh is this replay's own from now on.
      ownedHistory = deal!.history;
      ownedLog = deal!.changes ?? null;
    } catch (err) {
      throw malformed(err, e, label, `${e.type} event`);
    }
  }
  return deal as Deal;
}, ['events']);
