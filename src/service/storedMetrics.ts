import { workingTime } from '../metrics/calendar.js';
import { DwellGroups, dwellOptions, type StageDwellStats } from '../metrics/dwellStats.js';
import { PipelineError } from '../errors.js';
import type { Runtime } from './runtime.js';
import { storedPages, storedVisitPages } from './pages.js';
import type { StoredDwellOptions } from './types.js';

/**
 * Dwell statistics over every stored deal: computed by the store when it offers `visits.dwell`
 * (calendar time; with a period only when it declares `dwellPeriods`), else read as stage-visit
 * rows from the store's visits table when it has one (no deal is materialised), else from the
 * deals page by page. Either way only the counted durations are held, never the visits or deals.
 */
export async function storedDwellStats(rt: Runtime, input: StoredDwellOptions | undefined): Promise<StageDwellStats[]> {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new PipelineError('invalid_input', 'opts: expected an object', { path: 'opts' });
  }
  const o = dwellOptions({ ...input, now: input?.now ?? rt.now() });
  const period = o.from !== undefined || o.to !== undefined;
  const dwell = rt.visits?.dwell;
  if (dwell && (o.businessDays === undefined || o.businessDays === false) && (!period || rt.visits?.dwellPeriods === true)) {
    return dwell.call(rt.visits, {
      now: o.now,
      ...(o.pipelineId === undefined ? {} : { pipelineId: o.pipelineId }),
      includeOpen: o.includeOpen === true,
      ...(o.from === undefined ? {} : { from: o.from }),
      ...(o.to === undefined ? {} : { to: o.to }),
    });
  }
  const groups = new DwellGroups(o, workingTime(o.businessDays));
  if (rt.visits) {
    for await (const rows of storedVisitPages(rt, o.pipelineId === undefined ? {} : { pipelineId: o.pipelineId })) for (const v of rows) groups.add(v);
  } else {
    for await (const deals of storedPages(rt, { include: ['history'] })) for (const d of deals) for (const v of d.history) groups.add(v);
  }
  return groups.rows();
}
