import { PipelineError } from '../errors.js';
import { parseWith } from '../model/parse.js';
import { Id, Instant } from '../model/primitives.js';
import type { StageSummaryRow } from '../ports/repositories.js';
import { StageSummary } from '../ports/summarizeDeals.js';
import { Include, leanDeals } from './lean.js';
import type { Runtime } from './runtime.js';
import { storedPages } from './pages.js';
import type { Board, BoardColumn, BoardOptions } from './types.js';
import * as z from 'zod';
import { BusinessDaysOption, workingTime } from '../metrics/calendar.js';
import { rottingCutoff } from '../metrics/dueInstant.js';

const DAY = 86_400_000;
const Options = z.strictObject({ perStage: z.number().int().min(0).max(500).optional(), now: Instant.optional(), include: Include.optional(), businessDays: BusinessDaysOption });

/** Builds a board from the store: one summary (or one scan) for the totals, one page per column. */
export async function board(rt: Runtime, pipelineIdInput: string, input: BoardOptions | undefined): Promise<Board> {
  const pipelineId = parseWith(Id, pipelineIdInput, 'pipelineId');
  const opts = parseWith(Options, input ?? {}, 'options');
  const now = opts.now ?? rt.now();
  const ws = await rt.workspaces.load();
  const layout = ws.layouts.find((l) => l.pipelines.some((p) => p.id === pipelineId));
  const pipeline = layout?.pipelines.find((p) => p.id === pipelineId);
  if (!layout || !pipeline) throw new PipelineError('not_found', `pipeline ${pipelineId} does not exist`, { pipelineId });
  const defs = new Map(layout.stages.map((s) => [s.id, s]));
  const stages = pipeline.stages.map((ps) => {
    const def = defs.get(ps.stageId)!;
    const rotAfterDays = ps.rotAfterDays ?? def.rotAfterDays;
    return {
      ...def,
      probability: ps.probability ?? def.probability,
      ...(rotAfterDays !== undefined ? { rotAfterDays } : {}),
      requiredFields: ps.requiredFields ?? [],
    } satisfies BoardColumn['stage'];
  });
  const rottingBefore = new Map<string, number>();
  const measure = workingTime(opts.businessDays);
  const plain = opts.businessDays === undefined || opts.businessDays === false;
  // A deal rots when its stage entry is before the cutoff: the working time from it to now passes the threshold.
  for (const s of stages) if (s.rotAfterDays !== undefined) rottingBefore.set(s.id, rottingCutoff(measure, now, s.rotAfterDays * DAY, plain));
  const rows = rt.deals.summarize
    ? await rt.deals.summarize({ pipelineId, rottingBefore: Object.fromEntries(rottingBefore) })
    : await scan(rt, pipelineId, rottingBefore);
  const perStage = opts.perStage ?? 20;
  const columns: BoardColumn[] = [];
  for (const stage of stages) {
    const page = perStage === 0 ? { deals: [], next: null } : await rt.deals.list({ pipelineId, stageId: stage.id, after: null, limit: perStage, ...(opts.include ? { include: opts.include } : {}) });
    columns.push({ stage, ...totalsOf(rows, stage.id), deals: leanDeals(page.deals, opts.include), next: page.next });
  }
  return { pipeline, columns };
}

function totalsOf(rows: readonly StageSummaryRow[], stageId: string): Pick<BoardColumn, 'count' | 'totals' | 'rotting'> {
  let count = 0;
  let rotting = 0;
  const totals: Record<string, { amount: number; weighted: number }> = Object.create(null) as Record<string, { amount: number; weighted: number }>;
  for (const r of rows) {
    if (r.stageId !== stageId) continue;
    count += r.count;
    rotting += r.rotting;
    const key = r.currency ?? '';
    const t = (totals[key] ??= { amount: 0, weighted: 0 });
    t.amount += r.amount;
    t.weighted += r.weighted;
  }
  return { count, totals: { ...totals }, rotting };
}

/** The summary by paging through the pipeline's deals, for stores without `summarize`. */
async function scan(rt: Runtime, pipelineId: string, rottingBefore: ReadonlyMap<string, number>): Promise<StageSummaryRow[]> {
  const summary = new StageSummary({ pipelineId, rottingBefore: Object.fromEntries(rottingBefore) });
  for await (const deals of storedPages(rt, { pipelineId })) for (const d of deals) summary.add(d);
  return summary.result();
}
