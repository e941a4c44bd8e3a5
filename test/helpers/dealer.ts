import { applyDeal, type Deal, type DealCommandInput, type Workspace } from '../../src/index.js';
import { dealerWorkspace } from '../../examples/dealership.js';

export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const DAY = 86_400_000;
export const ws: Workspace = dealerWorkspace();

/** Creates a deal in the dealer's workspace. */
export function newDeal(input: Partial<Extract<DealCommandInput, { type: 'createDeal' }>['deal']> = {}, at = T0): Deal {
  return applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'Family SUV', ...input } }, { at, by: 'ann' }).deal;
}

/** Applies commands one day apart. */
export function step(deal: Deal, command: DealCommandInput, days = 1, workspace: Workspace = ws): Deal {
  return applyDeal(workspace, deal, command, { at: deal.updatedAt + days * DAY, by: 'ann' }).deal;
}
