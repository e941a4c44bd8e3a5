import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import { fail } from '../errors.js';
import type { Deal, StageVisit } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Id, Instant } from '../model/primitives.js';
import { indexOf, type StageScope } from '../workspace/lookup.js';
import { MAX_FUNNEL_CLOSED_STAGES, type FunnelGroup, type FunnelQuery, type FunnelStageKey } from './funnelGroups.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { assertDeals, checkWindow, parseOptions, tallied, type Tally } from './common.js';

/**
 * One stage of a conversion funnel.
 *
 * @example
 * ```ts
 * conversionFunnel(ws, deals, { pipelineId: 'new-cars' }).stages.map((s: FunnelStage) => s.conversionRate);
 * ```
 * @category Metrics
 */
export interface FunnelStage {
  readonly stageId: string;
  /** The stage's name (from its layout). */
  readonly stageName: string;
  /** Deals that reached this stage or a later one. */
  readonly entered: number;
  /** Deals that went on past this stage. */
  readonly advanced: number;
  /** advanced / entered; null when no deal entered. */
  readonly conversionRate: number | null;
}

/**
 * A pipeline's conversion funnel.
 *
 * @example
 * ```ts
 * const { stages, wonRate }: Funnel = conversionFunnel(ws, deals, { pipelineId: 'new-cars' });
 * ```
 * @category Metrics
 */
export interface Funnel {
  readonly pipelineId: string;
  /** Deals counted (the cohort). */
  readonly deals: number;
  readonly stages: FunnelStage[];
  /** Won deals / cohort; null for an empty cohort. */
  readonly wonRate: number | null;
  /** Lost deals / cohort; null for an empty cohort. */
  readonly lostRate: number | null;
}

const FunnelOptions = z.strictObject({ pipelineId: Id, from: Instant.optional(), to: Instant.optional() });

/**
 * Stage-to-stage conversion of one pipeline (Pipedrive's conversion statistics).
 *
 * Definition. The cohort is the deals whose first entry into the pipeline lies in
 * `[from, to)` (every deal that entered it, without a window); only their visits to the
 * pipeline that began before `to` count. A deal's *reach* is the furthest open stage it entered,
 * by pipeline order, or past the last open stage once it entered a won stage. For the open stage
 * at position i, `entered` counts deals with reach ≥ i and `advanced` deals with reach > i
 * (moving forward counts even when stages were skipped). A won stage counts the deals that
 * entered it as entered and advanced; a lost stage counts the deals that entered it, none advanced.
 * `wonRate` and `lostRate` divide the cohort's won and lost deals by the cohort.
 *
 * Worked example: stages a → b → c → won, lost. Deal 1 went a → b → won; deal 2 a → lost;
 * deal 3 a → c. Reaches: 3 (past c), 0, 2. Stage a: entered 3, advanced 2 (rate 0.67); b:
 * entered 2, advanced 2; c: entered 2, advanced 1 (0.5); won: 1/1; lost: 1/0. wonRate 1/3,
 * lostRate 1/3.
 *
 * @param ws - the workspace (stage order)
 * @param deals - the deals
 * @param opts - `{ pipelineId, from?, to? }`
 * @returns the funnel
 * @example
 * ```ts
 * conversionFunnel(ws, deals, { pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' }).stages[0];
 * // { stageId: 'requirements', stageName: 'Collect requirements', entered: 40, advanced: 31, conversionRate: 0.775 }
 * ```
 * @category Metrics
 * @function
 */
export const conversionFunnel = /* @__PURE__ */ guarded(function conversionFunnel(ws: Workspace, deals: readonly Deal[], opts: { pipelineId: string; from?: Date | number | string; to?: Date | number | string }): Funnel {
  const tally = funnelTally(ws, opts);
  assertDeals(deals);
  return tallied(tally, deals);
}, ['workspace', 'deals', 'opts']);

/** The checked options of a funnel, its pipeline's stages and the counts made so far. */
class FunnelCount {
  // byReach[r + 1]: deals of the cohort with reach r (−1: no open stage reached).
  readonly byReach: number[];
  readonly enteredClosed = new Map<string, number>();
  n = 0;
  won = 0;
  lost = 0;
  readonly from: number;
  readonly to: number;
  readonly pipelineId: string;
  readonly scope: StageScope;

  constructor(ws: Workspace, opts: unknown) {
    ws = checkedWorkspace(ws);
    const o = parseOptions(FunnelOptions, opts);
    this.from = o.from ?? -Infinity;
    this.to = o.to ?? Infinity;
    checkWindow(this.from, this.to);
    this.pipelineId = o.pipelineId;
    this.scope = indexOf(ws).scopes.get(o.pipelineId) ?? fail('not_found', `pipeline ${o.pipelineId} does not exist`, { pipelineId: o.pipelineId });
    this.byReach = new Array<number>(this.scope.openCount + 2).fill(0);
  }

  /** `deals` deals of the cohort with this reach, having entered these closed stages. */
  count(reach: number, closedStages: Iterable<string>, won: boolean, lost: boolean, deals: number): void {
    this.n += deals;
    this.byReach[reach + 1]! += deals;
    for (const id of closedStages) this.enteredClosed.set(id, (this.enteredClosed.get(id) ?? 0) + deals);
    if (won) this.won += deals;
    if (lost) this.lost += deals;
  }

  result(): Funnel {
    const { byReach, n } = this;
    const atLeast = (r: number): number => byReach.reduce((sum, count, k) => (k - 1 >= r ? sum + count : sum), 0);
    const stages = this.scope.order.map((slot): FunnelStage => {
      if (slot.def.outcome !== 'open') {
        const entered = this.enteredClosed.get(slot.stageId) ?? 0;
        const advanced = slot.def.outcome === 'won' ? entered : 0;
        return { stageId: slot.stageId, stageName: slot.def.name, entered, advanced, conversionRate: entered === 0 ? null : advanced / entered };
      }
      const entered = atLeast(slot.openPosition);
      const advanced = atLeast(slot.openPosition + 1);
      return { stageId: slot.stageId, stageName: slot.def.name, entered, advanced, conversionRate: entered === 0 ? null : advanced / entered };
    });
    return { pipelineId: this.pipelineId, deals: n, stages, wonRate: n === 0 ? null : this.won / n, lostRate: n === 0 ? null : this.lost / n };
  }
}

/**
 * The funnel as a {@link Tally}: checks the workspace and options, then counts the deals added
 * (by reach, so the count held does not grow with the deals).
 */
export function funnelTally(ws: Workspace, opts: unknown): Tally<Funnel> {
  const f = new FunnelCount(ws, opts);
  return {
    add(deal) {
      const visits = deal.history.filter((v) => v.pipelineId === f.pipelineId && v.enteredAt < f.to);
      const first = visits[0];
      if (!first || first.enteredAt < f.from) return;
      const r = reachOf(f.scope, visits);
      f.count(r.reach, r.closedStages, r.won, r.lost, 1);
    },
    result: () => f.result(),
  };
}

/**
 * The funnel as a store's query ({@link FunnelQuery}: each stage's rank, a bit per closed stage)
 * and the funnel of the groups it returns. Null when the pipeline has more closed stages than a
 * query can hold (the caller then counts deal by deal).
 */
export function funnelPlan(ws: Workspace, opts: unknown): { readonly query: FunnelQuery; readonly result: (groups: readonly FunnelGroup[]) => Funnel } | null {
  const f = new FunnelCount(ws, opts);
  const closed = f.scope.order.filter((slot) => slot.def.outcome !== 'open');
  if (closed.length > MAX_FUNNEL_CLOSED_STAGES) return null;
  const stages: FunnelStageKey[] = f.scope.order.map((slot) => {
    if (slot.def.outcome === 'open') return { stageId: slot.stageId, rank: slot.openPosition, bit: 0 };
    return { stageId: slot.stageId, rank: slot.def.outcome === 'won' ? f.scope.openCount : null, bit: 2 ** closed.indexOf(slot) };
  });
  const query: FunnelQuery = {
    pipelineId: f.pipelineId,
    stages,
    ...(f.from === -Infinity ? {} : { from: f.from }),
    ...(f.to === Infinity ? {} : { to: f.to }),
  };
  return {
    query,
    result(groups) {
      for (const g of groups) {
        const entered = closed.filter((slot, k) => Math.floor(g.closed / 2 ** k) % 2 === 1);
        f.count(g.reach, entered.map((slot) => slot.stageId), entered.some((slot) => slot.def.outcome === 'won'), entered.some((slot) => slot.def.outcome === 'lost'), g.deals);
      }
      return f.result();
    },
  };
}

function reachOf(scope: StageScope, visits: readonly StageVisit[]): { reach: number; won: boolean; lost: boolean; closedStages: Set<string> } {
  let reach = -1;
  let won = false;
  let lost = false;
  const closedStages = new Set<string>();
  for (const v of visits) {
    const slot = scope.slots.get(v.stageId);
    if (!slot) continue;
    if (slot.def.outcome === 'open') reach = Math.max(reach, slot.openPosition);
    else {
      closedStages.add(v.stageId);
      if (slot.def.outcome === 'won') {
        won = true;
        reach = scope.openCount;
      } else lost = true;
    }
  }
  return { reach, won, lost, closedStages };
}
