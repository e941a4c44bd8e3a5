import { PipelineError } from '../errors.js';
import type { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { Instant } from '../model/primitives.js';
import { checkDealQuery, leanDeal, type RottingThresholds } from '../ports/dealQuery.js';
import type { DealPage, DealQuery } from '../ports/repositories.js';
import type { Runtime } from './runtime.js';
import type { ListDealsQuery } from './types.js';

const DAY = 86_400_000;

const KEYS = new Set(['layoutId', 'pipelineId', 'stageId', 'ownerId', 'outcome', 'closingFrom', 'closingTo', 'amountMin', 'amountMax', 'search', 'rotting', 'now', 'sort', 'order', 'include', 'after', 'limit']);

/**
 * Per pipeline and open stage with a threshold (`rotAfterDays`, the pipeline's override first):
 * the instant before which a deal that entered the stage is rotting at `now`. Deals of layouts
 * without pipelines go under `''`, with their layout's stage thresholds.
 */
export function rottingThresholds(ws: Workspace, now: number): RottingThresholds {
  const out: Record<string, Record<string, number>> = Object.create(null) as Record<string, Record<string, number>>;
  for (const layout of ws.layouts) {
    const defs = new Map(layout.stages.map((s) => [s.id, s]));
    if (layout.pipelines.length === 0) {
      const row = (out[''] ??= Object.create(null) as Record<string, number>);
      // Stage ids are per layout; a stage id two pipeline-less layouts share takes the first threshold.
      for (const s of layout.stages) if (s.outcome === 'open' && s.rotAfterDays !== undefined && !(s.id in row)) row[s.id] = now - s.rotAfterDays * DAY;
      continue;
    }
    for (const p of layout.pipelines) {
      const row: Record<string, number> = Object.create(null) as Record<string, number>;
      for (const ps of p.stages) {
        const def = defs.get(ps.stageId);
        const days = ps.rotAfterDays ?? def?.rotAfterDays;
        if (def?.outcome === 'open' && days !== undefined) row[ps.stageId] = now - days * DAY;
      }
      out[p.id] = row;
    }
  }
  return out;
}

/** One page of deals: the query checked as every store checks it, rotting judged at `now`, deals lean unless `include` asks. */
export async function listDeals(rt: Runtime, input: ListDealsQuery): Promise<DealPage> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new PipelineError('invalid_input', 'query: expected { limit, ...filters }', { path: 'query' });
  for (const key of Object.keys(input)) {
    if (!KEYS.has(key)) throw new PipelineError('invalid_input', `query.${key}: unknown filter`, { path: `query.${key}` });
  }
  const { now: at, ...rest } = input;
  const checked = checkDealQuery(rest);
  let query: DealQuery = rest;
  if (checked.rotting !== undefined) {
    const now = at === undefined ? rt.now() : parseWith(Instant, at, 'query.now');
    query = { ...rest, rottingBefore: rottingThresholds(await rt.workspaces.load(), now) };
  } else if (at !== undefined) {
    parseWith(Instant, at, 'query.now');
  }
  const page = await rt.deals.list(query);
  // A host's store may hand out more than asked.
  return { deals: page.deals.map((d) => leanDeal(d, checked)), next: page.next };
}
