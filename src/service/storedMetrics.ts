import type { BusinessCalendar } from '../metrics/calendar.js';
import type { DwellRow } from '../metrics/dwellStats.js';
import { dwellStatsOfVisits } from '../metrics/dwellStatsOfVisits.js';
import { parseOptions } from '../metrics/common.js';
import { DwellOptions } from '../metrics/dwellStats.js';
import { PipelineError } from '../errors.js';
import type { VisitRow } from '../ports/repositories.js';
import type { Runtime } from './runtime.js';

/**
 * Options of `service.dwellStats`: those of `dwellStats`, with `now` defaulting to the clock.
 * @category Service
 */
export interface StoredDwellOptions {
  readonly now?: Date | number | string;
  readonly pipelineId?: string;
  readonly includeOpen?: boolean;
  readonly businessDays?: boolean | BusinessCalendar;
}

const PAGE = 10_000;

/**
 * Dwell statistics over every stored deal: computed by the store when it offers `visits.dwell`
 * (calendar time), else read as stage-visit rows from the store's visits table when it has one
 * (no deal is materialised), else from the deals page by page.
 */
export async function storedDwellStats(rt: Runtime, input: StoredDwellOptions | undefined): Promise<DwellRow[]> {
  if (input !== undefined && (typeof input !== 'object' || input === null)) {
    throw new PipelineError('invalid_input', 'opts: expected an object', { path: 'opts' });
  }
  const opts = { ...input, now: input?.now ?? rt.now() };
  // A store that computes the statistics itself (in calendar time) answers without a visit read here.
  if (rt.visits?.dwell && (opts.businessDays === undefined || opts.businessDays === false)) {
    const o = parseOptions(DwellOptions, opts);
    return rt.visits.dwell({ now: o.now, ...(o.pipelineId === undefined ? {} : { pipelineId: o.pipelineId }), includeOpen: o.includeOpen === true });
  }
  const rows: VisitRow[] = [];
  const pipelineId = typeof opts.pipelineId === 'string' ? opts.pipelineId : undefined;
  if (rt.visits) {
    let after: string | null = null;
    do {
      const page = await rt.visits.list({ ...(pipelineId === undefined ? {} : { pipelineId }), after, limit: PAGE });
      for (const v of page.visits) rows.push(v);
      after = page.next;
    } while (after !== null);
  } else {
    let after: string | null = null;
    do {
      const page = await rt.deals.list({ after, limit: rt.chunkSize, include: ['history'] });
      for (const d of page.deals) {
        for (const v of d.history) rows.push({ dealId: d.id, layoutId: d.layoutId, pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt });
      }
      after = page.next;
    } while (after !== null);
  }
  return dwellStatsOfVisits(rows, opts);
}
