import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Id, Instant } from '../model/primitives.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { assertDeals, checkWindow, parseOptions, tallied, type Tally } from './common.js';

/**
 * A count of moves from one place to another.
 *
 * @example
 * ```ts
 * movementStats(ws, deals, { from, to }).betweenStages.map((m: MoveCount) => `${m.from} → ${m.to}: ${m.count}`);
 * ```
 * @category Metrics
 */
export interface MoveCount {
  readonly from: string | null;
  readonly to: string | null;
  readonly count: number;
}

/**
 * What happened in a pipeline (or everywhere) during a window.
 *
 * @example
 * ```ts
 * const { newDeals, won, lost, leftOpen }: MovementStats = movementStats(ws, deals, { from: '2026-03-01', to: '2026-04-01' });
 * ```
 * @category Metrics
 */
export interface MovementStats {
  readonly newDeals: number;
  readonly won: number;
  readonly lost: number;
  readonly leftOpen: number;
  readonly betweenStages: MoveCount[];
  readonly betweenPipelines: MoveCount[];
  readonly averageAgeMs: number | null;
}

const MovementOptions = z.strictObject({ from: Instant, to: Instant, pipelineId: Id.optional() });

/**
 * Movement statistics over the window `[from, to)` (Pipedrive's movement statistics), optionally
 * for one pipeline:
 * - `newDeals`: deals created in the window (in that pipeline);
 * - `won` / `lost`: deals that entered a won / lost stage in the window from a stage with
 *   another outcome (or were created closed), each deal counted once;
 * - `leftOpen`: deals in an open stage (of that pipeline) at the end of the window;
 * - `betweenStages`: moves inside one pipeline in the window, by (from stage, to stage);
 * - `betweenPipelines`: moves from one pipeline to another in the window (with `pipelineId`, those
 *   leaving or entering it);
 * - `averageAgeMs`: the mean age (`to − createdAt`) of the deals left open; null when none.
 * Move lists are sorted by count, largest first.
 *
 * @param ws - the workspace
 * @param deals - the deals
 * @param opts - `{ from, to, pipelineId? }`
 * @returns the statistics
 * @example
 * ```ts
 * movementStats(ws, deals, { from: '2026-03-01', to: '2026-04-01', pipelineId: 'new-cars' });
 * // { newDeals: 14, won: 3, lost: 2, leftOpen: 21, betweenStages: [{ from: 'requirements', to: 'test-drive', count: 9 }, ...], ... }
 * ```
 * @category Metrics
 * @function
 */
export const movementStats = /* @__PURE__ */ guarded(function movementStats(ws: Workspace, deals: readonly Deal[], opts: { from: Date | number | string; to: Date | number | string; pipelineId?: string }): MovementStats {
  const tally = movementTally(ws, opts);
  assertDeals(deals);
  return tallied(tally, deals);
}, ['workspace', 'deals', 'opts']);

/** Movement statistics as a {@link Tally}: counts, move counts and the sum of ages, deal by deal. */
export function movementTally(ws: Workspace, opts: unknown): Tally<MovementStats> {
  checkedWorkspace(ws);
  const { from, to, pipelineId } = parseOptions(MovementOptions, opts);
  checkWindow(from, to);
  const inWindow = (t: number): boolean => t >= from && t < to;
  const inPipeline = (p: string | null): boolean => pipelineId === undefined || p === pipelineId;
  let newDeals = 0;
  let won = 0;
  let lost = 0;
  let leftOpen = 0;
  let ages = 0;
  const stages = new Map<string, MoveCount & { count: number }>();
  const pipelines = new Map<string, MoveCount & { count: number }>();
  return {
    add(deal) {
      const h = deal.history;
      if (inWindow(deal.createdAt) && inPipeline(h[0]!.pipelineId)) newDeals++;
      let wonHere = false;
      let lostHere = false;
      for (let i = 0; i < h.length; i++) {
        const v = h[i]!;
        if (!inWindow(v.enteredAt)) continue;
        const prev = i > 0 ? h[i - 1]! : null;
        if (v.outcome !== 'open' && inPipeline(v.pipelineId) && prev?.outcome !== v.outcome) {
          if (v.outcome === 'won') wonHere = true;
          else lostHere = true;
        }
        if (!prev) continue;
        if (prev.pipelineId === v.pipelineId && inPipeline(v.pipelineId)) bump(stages, prev.stageId, v.stageId);
        if (prev.pipelineId !== v.pipelineId && (inPipeline(v.pipelineId) || inPipeline(prev.pipelineId))) bump(pipelines, prev.pipelineId, v.pipelineId);
      }
      if (wonHere) won++;
      if (lostHere) lost++;
      const atEnd = visitAt(deal, to - 1);
      if (atEnd && atEnd.outcome === 'open' && inPipeline(atEnd.pipelineId)) {
        leftOpen++;
        ages += to - deal.createdAt;
      }
    },
    result() {
      return {
        newDeals,
        won,
        lost,
        leftOpen,
        betweenStages: sorted(stages),
        betweenPipelines: sorted(pipelines),
        averageAgeMs: leftOpen === 0 ? null : ages / leftOpen,
      };
    },
  };
}

function visitAt(deal: Deal, t: number): Deal['history'][number] | null {
  for (let i = deal.history.length - 1; i >= 0; i--) {
    const v = deal.history[i]!;
    if (v.enteredAt <= t) return v.exitedAt === null || t < v.exitedAt ? v : null;
  }
  return null;
}

function bump(into: Map<string, { from: string | null; to: string | null; count: number }>, from: string | null, to: string | null): void {
  const key = JSON.stringify([from, to]);
  const row = into.get(key);
  if (row) row.count++;
  else into.set(key, { from, to, count: 1 });
}

function sorted(rows: Map<string, MoveCount>): MoveCount[] {
  return [...rows.values()].sort((a, b) => b.count - a.count || String(a.from).localeCompare(String(b.from)) || String(a.to).localeCompare(String(b.to)));
}
