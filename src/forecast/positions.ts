import type { Deal } from '../model/deal.js';
import { readStateAt, stateSlot, visitIndexAt, type StateSlot } from '../metrics/dealAt.js';
import type { CompiledModel, Position } from './simulate.js';

/** An open deal at an instant, as the forecast and the backtest read it. */
export interface OpenDeal {
  readonly deal: Deal;
  readonly state: Readonly<StateSlot>;
  readonly enteredAt: number;
}

/** The deals that were open at `t`, with their state then (deals created later are left out). */
export function openAt(deals: readonly Deal[], t: number): OpenDeal[] {
  const out: OpenDeal[] = [];
  for (const deal of deals) {
    const state = stateSlot();
    if (!readStateAt(deal, t, state) || state.outcome !== 'open') continue;
    out.push({ deal, state, enteredAt: deal.history[visitIndexAt(deal.history, t)]!.enteredAt });
  }
  return out;
}

/** Positions for the simulation, and the currencies they use (sorted; `''` for none). */
export function positionsOf(model: CompiledModel, open: readonly OpenDeal[]): { positions: Position[]; currencies: string[] } {
  const currencies = [...new Set(open.map((o) => o.state.currency ?? ''))].sort();
  const index = new Map(currencies.map((c, i) => [c, i]));
  const positions = open.map((o) => ({
    stage: model.stageIndex(o.state.pipelineId, o.state.stageId),
    enteredAt: o.enteredAt,
    amount: o.state.amount ?? 0,
    currency: index.get(o.state.currency ?? '')!,
  }));
  return { positions, currencies };
}
