import type * as z from 'zod';
import { PipelineError } from '../errors.js';
import type { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { Instant } from '../model/primitives.js';
import { workingTime } from '../metrics/calendar.js';
import { firstPast, rotClock } from '../metrics/dueInstant.js';
import { RotsAtOptions } from '../metrics/rotsAt.js';
import type { Runtime } from './runtime.js';
import { storedPages } from './pages.js';
import type { RottingDeal } from './types.js';
import { isOptionsForm } from './instantOptions.js';

const PeriodAndRotting = RotsAtOptions.extend({ from: Instant, to: Instant });

/** The period and options of a call, `({ from, to, ...opts })` or `(from, to, opts?)`. */
function readCall(args: readonly unknown[]): { from: number; to: number; opts: z.output<typeof RotsAtOptions>; toPath: string } {
  const [first, ...rest] = args;
  if (isOptionsForm(first, rest)) {
    const { from, to, ...opts } = parseWith(PeriodAndRotting, first, 'opts');
    return { from, to, opts, toPath: 'opts.to' };
  }
  const from = parseWith(Instant, first, 'from');
  const to = parseWith(Instant, rest[0], 'to');
  return { from, to, opts: parseWith(RotsAtOptions, rest[1] ?? {}, 'opts'), toPath: 'to' };
}

/**
 * The stored deals whose `rotsAt` falls in [from, to), soonest first (ties by id): the stages with
 * a threshold are read page by page, so memory holds one page and the answer.
 */
export async function rottingBetween(rt: Runtime, args: readonly unknown[]): Promise<RottingDeal[]> {
  const { from, to, opts: o, toPath } = readCall(args);
  if (to < from) throw new PipelineError('invalid_input', `${toPath}: must not be before from`, { path: toPath });
  const measure = workingTime(o.businessDays);
  const plain = o.businessDays === undefined || o.businessDays === false;
  const ws = await rt.workspaces.load();
  const out: RottingDeal[] = [];
  for (const stageId of stagesThatRot(ws)) {
    for await (const deals of storedPages(rt, { stageId })) {
      for (const d of deals) {
        const clock = rotClock(ws, d, o.since === 'lastUpdate');
        const due = clock && firstPast(measure, clock.start, clock.thresholdMs, plain);
        if (due === null || due < from || due >= to) continue;
        out.push({ dealId: d.id, name: d.name, ownerId: d.ownerId, amount: d.amount, currency: d.currency, pipelineId: d.pipelineId, stageId: d.stageId, rotsAt: due });
      }
    }
  }
  return out.sort((a, b) => a.rotsAt - b.rotsAt || (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0));
}

/** Stage ids with a rotting threshold in some layout or pipeline. */
function stagesThatRot(ws: Workspace): string[] {
  const ids = new Set<string>();
  for (const layout of ws.layouts) {
    for (const s of layout.stages) if (s.rotAfterDays) ids.add(s.id);
    for (const p of layout.pipelines) for (const ps of p.stages) if (ps.rotAfterDays) ids.add(ps.stageId);
  }
  return [...ids].sort();
}
