import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import { Id, Instant } from '../model/primitives.js';
import { assertDeals, checkWindow, median, parseOptions, percentile } from './common.js';
import { BusinessDaysOption, workingTime, type BusinessCalendar, type WorkingTime } from './calendar.js';

/**
 * Dwell statistics of one (pipeline, stage): over the visits counted, how long deals stayed. One
 * row of {@link dwellStats}, {@link dwellStatsOfVisits}, `service.dwellStats` and a store's
 * `visits.dwell`.
 *
 * @example
 * ```ts
 * for (const row of dwellStats(deals, { now })) console.log(row.stageId, row.medianMs / 86_400_000, 'days');
 * ```
 * @category Metrics
 */
export interface StageDwellStats {
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly visits: number;
  readonly meanMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
}

/**
 * The former name of {@link StageDwellStats}: the same type.
 *
 * @deprecated use `StageDwellStats` (dwell statistics carry one name, as `dwellStats` returns
 * them); this alias goes in the next minor version.
 * @example
 * ```ts
 * const rows: DwellRow[] = dwellStats(deals, { now }); // write StageDwellStats[]
 * ```
 * @category Metrics
 */
export type DwellRow = StageDwellStats;

export const DwellOptions = z.strictObject({
  now: Instant,
  pipelineId: Id.optional(),
  includeOpen: z.boolean().optional(),
  businessDays: BusinessDaysOption,
  from: Instant.optional(),
  to: Instant.optional(),
});

/** Which visits count and up to when: the parsed options of `dwellStats`. */
export interface DwellCounting {
  readonly now: number;
  readonly pipelineId?: string | undefined;
  readonly includeOpen?: boolean | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/**
 * Dwell statistics (how long deals stay in each stage): visits, mean, median, 90th percentile and maximum per
 * (pipeline, stage), sorted by pipeline id then stage id.
 *
 * - Only completed visits count, unless `includeOpen` (open visits then count up to `now`).
 * - The median of an even count is the mean of the two middle values; p90 is the nearest-rank
 *   value (rank ⌈0.9·n⌉ of the sorted durations).
 * - A period `from`/`to` (instants; a 'YYYY-MM-DD' is midnight UTC; half-open `[from, to)`,
 *   either bound optional) counts the completed visits that exited inside it, with their whole
 *   durations (a visit that began before `from` counts in full), and with `includeOpen` the
 *   visits open at `min(now, to)` (entered at or before it, not exited before it), measured up to
 *   that instant. Without a period, `includeOpen` counts the visits not exited, up to `now`.
 * - `businessDays: true` counts only time on Monday to Friday (UTC): weekend time is left out and
 *   a partial day counts for the part inside the visit (Friday 18:00 → Monday 06:00 is 12 hours).
 *   Results stay in milliseconds; divide by 86 400 000 for business days.
 * - `businessDays: { weekendDays?, holidays? }` uses a business calendar instead: the days of the
 *   week off (0 = Sunday … 6 = Saturday; default `[0, 6]`) and holidays (`'YYYY-MM-DD'`, UTC days).
 *   Worked example: a visit from Thursday 24 December 2026 12:00 to Monday 28 December 12:00 with
 *   holidays 24 and 25 December counts 12 hours (Monday morning).
 * - A calendar with `timeZone` and `hours` (see {@link BusinessCalendar}) counts local days and
 *   working hours: each working day counts 86 400 000 ms spread over its hours (4 of 8 working
 *   hours count 43 200 000), correct across daylight-saving changes.
 *
 * @param deals - deals with their history
 * @param opts - `{ now, pipelineId?, includeOpen?, businessDays?, from?, to? }`
 * @returns one row per (pipeline, stage) with at least one counted visit
 * @example
 * ```ts
 * dwellStats(deals, { now: Date.now(), pipelineId: 'new-cars', from: '2026-01-01', to: '2026-04-01' }); // visits that ended in Q1
 * dwellStats(deals, { now: Date.now(), pipelineId: 'new-cars' });
 * // [{ pipelineId: 'new-cars', stageId: 'quote', visits: 12, meanMs: 3.2e8, medianMs: 2.6e8, p90Ms: 6.9e8, maxMs: 8.1e8 }, ...]
 * ```
 * @category Metrics
 * @function
 */
export const dwellStats = /* @__PURE__ */ guarded(function dwellStats(
  deals: readonly Deal[],
  opts: DwellStatsOptions,
): StageDwellStats[] {
  const o = dwellOptions(opts);
  assertDeals(deals);
  const groups = new DwellGroups(o, workingTime(o.businessDays));
  for (const deal of deals) for (const v of deal.history) groups.add(v);
  return groups.rows();
}, ['deals', 'opts']);

/**
 * Options of `dwellStats` (and of `dwellStatsOfVisits`).
 *
 * @example
 * ```ts
 * const o: DwellStatsOptions = { now: Date.now(), from: '2026-01-01', to: '2026-04-01', includeOpen: true };
 * ```
 * @category Metrics
 */
export interface DwellStatsOptions {
  readonly now: Date | number | string;
  readonly pipelineId?: string;
  readonly includeOpen?: boolean;
  readonly businessDays?: boolean | BusinessCalendar;
  /** Start of the period (inclusive): completed visits that exited at or after it. */
  readonly from?: Date | number | string;
  /** End of the period (exclusive): completed visits that exited before it; open visits are measured to `min(now, to)`. */
  readonly to?: Date | number | string;
}

/** Parses the options of `dwellStats`, the period checked (`to` not before `from`). */
export function dwellOptions(opts: unknown): z.output<typeof DwellOptions> {
  const o = parseOptions(DwellOptions, opts);
  if (o.from !== undefined && o.to !== undefined) checkWindow(o.from, o.to);
  return o;
}

/** Durations of visits per (pipeline, stage), counted as `dwellStats` counts them, and their rows. */
export class DwellGroups {
  private readonly groups = new Map<string | null, Map<string, number[]>>();
  private readonly only: string | undefined;
  private readonly includeOpen: boolean;
  private readonly period: boolean;
  private readonly from: number;
  private readonly to: number;
  /** Where open visits end: `now`, or `min(now, to)` with a period. */
  private readonly at: number;
  constructor(
    o: DwellCounting,
    private readonly measure: WorkingTime,
  ) {
    this.only = o.pipelineId;
    this.includeOpen = o.includeOpen === true;
    this.period = o.from !== undefined || o.to !== undefined;
    this.from = o.from ?? -Infinity;
    this.to = o.to ?? Infinity;
    this.at = Math.min(o.now, this.to);
  }

  /** Where a visit's counted duration ends, or null when it does not count. */
  private endOf(v: { enteredAt: number; exitedAt: number | null }): number | null {
    if (!this.period) return v.exitedAt ?? (this.includeOpen ? this.at : null);
    if (this.includeOpen && v.enteredAt <= this.at && (v.exitedAt === null || v.exitedAt >= this.at)) return this.at;
    return v.exitedAt !== null && v.exitedAt >= this.from && v.exitedAt < this.to ? v.exitedAt : null;
  }

  add(v: { pipelineId: string | null; stageId: string; enteredAt: number; exitedAt: number | null }): void {
    if (this.only !== undefined && v.pipelineId !== this.only) return;
    const end = this.endOf(v);
    if (end === null) return;
    const ms = this.measure(v.enteredAt, end);
    let stages = this.groups.get(v.pipelineId);
    if (!stages) this.groups.set(v.pipelineId, (stages = new Map()));
    const list = stages.get(v.stageId);
    if (list) list.push(ms);
    else stages.set(v.stageId, [ms]);
  }

  rows(): StageDwellStats[] {
    const rows: StageDwellStats[] = [];
    for (const [pipelineId, stages] of this.groups) {
      for (const [stageId, durations] of stages) rows.push(summarise(pipelineId, stageId, durations));
    }
    return rows.sort(byKey);
  }
}

export function summarise(pipelineId: string | null, stageId: string, durations: number[]): StageDwellStats {
  const n = durations.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = durations[i]!;
  return summariseSorted(pipelineId, stageId, sorted.sort());
}

/** {@link summarise} of durations already in ascending order (a store that sorted them). */
export function summariseSorted(pipelineId: string | null, stageId: string, sorted: Float64Array): StageDwellStats {
  const n = sorted.length;
  // Summed in ascending order, as the stores that compute these in SQL do.
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const list = sorted as unknown as number[];
  return {
    pipelineId,
    stageId,
    visits: n,
    meanMs: sum / n,
    medianMs: median(list),
    p90Ms: percentile(list, 0.9),
    maxMs: sorted[n - 1]!,
  };
}

export function byKey(a: StageDwellStats, b: StageDwellStats): number {
  const pa = a.pipelineId ?? '';
  const pb = b.pipelineId ?? '';
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.stageId < b.stageId ? -1 : a.stageId > b.stageId ? 1 : 0;
}
