import { guarded } from '../_internal/guard.js';
import * as z from 'zod';
import type { Deal } from '../model/deal.js';
import { Id, Instant } from '../model/primitives.js';
import { assertDeals, median, parseOptions, percentile } from './common.js';
import { BusinessDaysOption, workingTime, type BusinessCalendar, type WorkingTime } from './calendar.js';

/**
 * Dwell statistics of one (pipeline, stage).
 *
 * @example
 * ```ts
 * for (const row of dwellStats(deals, { now })) console.log(row.stageId, row.medianMs / 86_400_000, 'days');
 * ```
 * @category Metrics
 */
export interface DwellRow {
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly visits: number;
  readonly meanMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
}

export const DwellOptions = z.strictObject({
  now: Instant,
  pipelineId: Id.optional(),
  includeOpen: z.boolean().optional(),
  businessDays: BusinessDaysOption,
});

/**
 * How long deals stay in each stage: visits, mean, median, 90th percentile and maximum per
 * (pipeline, stage), sorted by pipeline id then stage id.
 *
 * - Only completed visits count, unless `includeOpen` (open visits then count up to `now`).
 * - The median of an even count is the mean of the two middle values; p90 is the nearest-rank
 *   value (rank ⌈0.9·n⌉ of the sorted durations).
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
 * @param opts - `{ now, pipelineId?, includeOpen?, businessDays? }`
 * @returns one row per (pipeline, stage) with at least one counted visit
 * @example
 * ```ts
 * dwellStats(deals, { now: Date.now(), pipelineId: 'new-cars' });
 * // [{ pipelineId: 'new-cars', stageId: 'quote', visits: 12, meanMs: 3.2e8, medianMs: 2.6e8, p90Ms: 6.9e8, maxMs: 8.1e8 }, ...]
 * ```
 * @category Metrics
 * @function
 */
export const dwellStats = /* @__PURE__ */ guarded(function dwellStats(
  deals: readonly Deal[],
  opts: { now: Date | number | string; pipelineId?: string; includeOpen?: boolean; businessDays?: boolean | BusinessCalendar },
): DwellRow[] {
  const o = parseOptions(DwellOptions, opts);
  assertDeals(deals);
  const groups = new DwellGroups(o.now, o.pipelineId, o.includeOpen === true, workingTime(o.businessDays));
  for (const deal of deals) for (const v of deal.history) groups.add(v);
  return groups.rows();
}, ['deals', 'opts']);

/** Durations of visits per (pipeline, stage), counted as `dwellStats` counts them, and their rows. */
export class DwellGroups {
  private readonly groups = new Map<string | null, Map<string, number[]>>();
  constructor(
    private readonly now: number,
    private readonly only: string | undefined,
    private readonly includeOpen: boolean,
    private readonly measure: WorkingTime,
  ) {}

  add(v: { pipelineId: string | null; stageId: string; enteredAt: number; exitedAt: number | null }): void {
    if (this.only !== undefined && v.pipelineId !== this.only) return;
    const end = v.exitedAt ?? (this.includeOpen ? this.now : null);
    if (end === null) return;
    const ms = this.measure(v.enteredAt, end);
    let stages = this.groups.get(v.pipelineId);
    if (!stages) this.groups.set(v.pipelineId, (stages = new Map()));
    const list = stages.get(v.stageId);
    if (list) list.push(ms);
    else stages.set(v.stageId, [ms]);
  }

  rows(): DwellRow[] {
    const rows: DwellRow[] = [];
    for (const [pipelineId, stages] of this.groups) {
      for (const [stageId, durations] of stages) rows.push(summarise(pipelineId, stageId, durations));
    }
    return rows.sort(byKey);
  }
}

export function summarise(pipelineId: string | null, stageId: string, durations: number[]): DwellRow {
  const n = durations.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = durations[i]!;
  sorted.sort();
  // Summed in ascending order, as the stores that compute these in SQL do.
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const list = sorted as unknown as number[];
  return {
    pipelineId,
    stageId,
    visits: sorted.length,
    meanMs: sum / sorted.length,
    medianMs: median(list),
    p90Ms: percentile(list, 0.9),
    maxMs: sorted[sorted.length - 1]!,
  };
}

export function byKey(a: DwellRow, b: DwellRow): number {
  const pa = a.pipelineId ?? '';
  const pb = b.pipelineId ?? '';
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.stageId < b.stageId ? -1 : a.stageId > b.stageId ? 1 : 0;
}
