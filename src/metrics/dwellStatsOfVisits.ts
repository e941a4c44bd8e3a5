import { guarded } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import type { VisitRow } from '../model/deal.js';
import { workingTime } from './calendar.js';
import { DwellGroups, dwellOptions, type StageDwellStats, type DwellStatsOptions } from './dwellStats.js';

/**
 * {@link dwellStats} over stage visits instead of deals: the same rows, to the last digit, as
 * `dwellStats` gives over the deals the visits came from, with the same options. Made for hosts
 * and services that read visits straight from a store's visits table (`VisitRepository.list`) and
 * never materialise the deals; any iterable works, a generator over pages included. Only
 * `pipelineId`, `stageId`, `enteredAt` and `exitedAt` of a row are read.
 *
 * @param visits - stage visits, in any order
 * @param opts - `{ now, pipelineId?, includeOpen?, businessDays?, from?, to? }` as for `dwellStats`
 * @returns one row per (pipeline, stage) with at least one counted visit, sorted by pipeline then stage
 * @example
 * ```ts
 * const rows: VisitRow[] = [];
 * for (let page = await repos.visits!.list({ limit: 10_000 }); ; page = await repos.visits!.list({ after: page.next, limit: 10_000 })) {
 *   rows.push(...page.visits);
 *   if (!page.next) break;
 * }
 * dwellStatsOfVisits(rows, { now: Date.now(), pipelineId: 'new-cars' }); // same as dwellStats(deals, ...)
 * ```
 * @category Metrics
 * @function
 */
export const dwellStatsOfVisits = /* @__PURE__ */ guarded(function dwellStatsOfVisits(
  visits: Iterable<VisitRow>,
  opts: DwellStatsOptions,
): StageDwellStats[] {
  const o = dwellOptions(opts);
  if (typeof visits !== 'object' || visits === null || typeof (visits as Iterable<VisitRow>)[Symbol.iterator] !== 'function') {
    throw new PipelineError('invalid_input', 'visits: expected an iterable of visit rows', { path: 'visits' });
  }
  const groups = new DwellGroups(o, workingTime(o.businessDays));
  let i = 0;
  for (const v of visits) {
    assertVisit(v, i++);
    groups.add(v);
  }
  return groups.rows();
}, ['visits', 'opts']);

function assertVisit(v: unknown, i: number): asserts v is VisitRow {
  const r = v as Record<string, unknown> | null;
  const ok =
    typeof r === 'object' && r !== null && typeof r.stageId === 'string' && typeof r.enteredAt === 'number' &&
    (r.exitedAt === null || typeof r.exitedAt === 'number') && (r.pipelineId === null || typeof r.pipelineId === 'string');
  if (!ok) throw new PipelineError('invalid_input', `visits[${i}]: expected a visit row`, { path: `visits[${i}]` });
}
