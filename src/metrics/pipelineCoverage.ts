import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { Amount, Currency, Id, Instant } from '../model/primitives.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { checkWindow, parseOptions, tallied, WindowShape, type Tally } from './common.js';
import { assertTimelines, stateAt } from './dealAt.js';

/**
 * Pipeline coverage of one currency.
 *
 * @example
 * ```ts
 * const eur: Coverage | undefined = pipelineCoverage(ws, deals, { from, to, target: 100_000 }).EUR;
 * ```
 * @category Metrics
 */
export interface Coverage {
  /** Open deals closing in the period. */
  readonly count: number;
  /** Their amount. */
  readonly total: number;
  /** Their weighted amount (amount × probability / 100). */
  readonly weighted: number;
  /** The target of the period in this currency; null when none was given for it. */
  readonly target: number | null;
  /** total / target; null without a positive target. */
  readonly coverage: number | null;
  /** weighted / target; null without a positive target. */
  readonly weightedCoverage: number | null;
}

const CoverageOptions = z.strictObject({
  ...WindowShape,
  target: z.union([Amount, z.record(Currency, Amount)]),
  pipelineId: Id.optional(),
  asOf: Instant.optional(),
});

const dateOf = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * Pipeline coverage per currency: the open pipeline whose closing date falls in the period (the
 * calendar dates, UTC, from `from` to the day before `to`) divided by the period's target, unweighted
 * (`coverage`) and weighted by probability (`weightedCoverage`). A coverage of 3 means three times the
 * target is in play; the coverage a team needs is about 1 ÷ its win rate. Deals are read as they
 * stand at `asOf` (default: now, i.e. their current state) with {@link dealAt}; open means the stage
 * visit in force is open. `target` is one number for every currency, or a target per currency
 * (currencies without one get `target: null`). Amounts are never converted.
 *
 * Worked example: target 100,000 EUR for Q2; open EUR deals closing in Q2: 150,000 at 60 % and
 * 100,000 at 20 %. coverage = 250,000 / 100,000 = 2.5; weightedCoverage = 110,000 / 100,000 = 1.1.
 *
 * @param ws - the workspace (checked)
 * @param deals - the deals
 * @param opts - `{ from, to, target, pipelineId?, asOf? }`
 * @returns `Record<currency, Coverage>`
 * @example
 * ```ts
 * pipelineCoverage(ws, deals, { from: '2026-04-01', to: '2026-07-01', target: { EUR: 100_000 } }).EUR;
 * // { count: 2, total: 250000, weighted: 110000, target: 100000, coverage: 2.5, weightedCoverage: 1.1 }
 * ```
 * @category Metrics
 * @function
 */
export const pipelineCoverage = /* @__PURE__ */ guarded(function pipelineCoverage(
  ws: Workspace,
  deals: readonly Deal[],
  opts: { from: Date | number | string; to: Date | number | string; target: number | Record<string, number>; pipelineId?: string; asOf?: Date | number | string },
): Record<string, Coverage> {
  const tally = coverageTally(ws, opts);
  assertTimelines(deals);
  // Summed in id order, as the service reads the store.
  return tallied(tally, [...deals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}, ['workspace', 'deals', 'opts']);

/** Coverage as a {@link Tally}: running sums per currency, over deals added in id order. */
export function coverageTally(ws: Workspace, opts: unknown): Tally<Record<string, Coverage>> {
  checkedWorkspace(ws);
  const o = parseOptions(CoverageOptions, opts);
  checkWindow(o.from, o.to);
  const first = dateOf(o.from);
  const last = o.to > o.from ? dateOf(o.to - 1) : '';
  const at = o.asOf ?? 8.64e15;
  type Acc = { count: number; total: number; weighted: number };
  const acc: Record<string, Acc> = Object.create(null);
  const targets: Record<string, number> | null = typeof o.target === 'number' ? null : o.target;
  if (targets) for (const currency of Object.keys(targets)) acc[currency] = { count: 0, total: 0, weighted: 0 };
  return {
    add(deal) {
      const s = stateAt(deal, at);
      if (s === null || s.outcome !== 'open' || (o.pipelineId !== undefined && s.pipelineId !== o.pipelineId)) return;
      if (s.closingDate === null || s.closingDate < first || s.closingDate > last) return;
      const a = (acc[s.currency ?? ''] ??= { count: 0, total: 0, weighted: 0 });
      const amount = s.amount ?? 0;
      a.count++;
      a.total += amount;
      a.weighted += (amount * s.probability) / 100;
    },
    result() {
      const out: Record<string, Coverage> = Object.create(null);
      for (const [currency, a] of Object.entries(acc)) {
        const target = targets === null ? (o.target as number) : Object.hasOwn(targets, currency) ? targets[currency]! : null;
        const ok = target !== null && target > 0;
        out[currency] = { ...a, target, coverage: ok ? a.total / target : null, weightedCoverage: ok ? a.weighted / target : null };
      }
      return out;
    },
  };
}
