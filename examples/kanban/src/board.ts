// What a board shows: the pipeline's stages in order, and per column the deals, their count,
// totals per currency, rotting deals and the median time deals spend in the stage.
import { dwellStats, stalledDeals, type Deal, type Layout, type Pipeline, type Repositories, type StageDef, type Workspace } from 'sales-pipelines';

/** A stage as the pipeline shows it: the picklist definition with the pipeline's overrides. */
export interface ColumnStage extends StageDef {
  readonly requiredFields: readonly string[];
}

/** One column of a board. */
export interface Column {
  readonly stage: ColumnStage;
  readonly count: number;
  /** Per currency ('' for deals without one): the sum of amounts and of amount × probability. */
  readonly totals: Readonly<Record<string, { amount: number; weighted: number }>>;
  readonly rotting: number;
  readonly deals: readonly Deal[];
  /** Median time in this stage over every visit to it, the open ones up to now; null if none. */
  readonly medianDwellMs: number | null;
}

/** A pipeline as a board. */
export interface BoardView {
  readonly layout: Layout;
  readonly pipeline: Pipeline;
  readonly columns: readonly Column[];
  /** Ids of the deals that stayed longer than their stage's `rotAfterDays`. */
  readonly rotting: ReadonlySet<string>;
}

/** Finds a pipeline and its layout in the workspace. */
export function findPipeline(ws: Workspace, pipelineId: string): { layout: Layout; pipeline: Pipeline } | null {
  for (const layout of ws.layouts) {
    const pipeline = layout.pipelines.find((p) => p.id === pipelineId);
    if (pipeline) return { layout, pipeline };
  }
  return null;
}

/** The stages of a pipeline, in its order, with its overrides applied. */
export function columnStages(layout: Layout, pipeline: Pipeline): ColumnStage[] {
  return pipeline.stages.flatMap((ps) => {
    const def = layout.stages.find((s) => s.id === ps.stageId);
    if (!def) return [];
    const stage: ColumnStage = { ...def, requiredFields: ps.requiredFields ?? [] };
    return [{ ...stage, ...(ps.probability === undefined ? {} : { probability: ps.probability }), ...(ps.rotAfterDays === undefined ? {} : { rotAfterDays: ps.rotAfterDays }) }];
  });
}

/** Every deal of a pipeline, page by page from the repository. */
export async function pipelineDeals(repos: Repositories, pipelineId: string): Promise<Deal[]> {
  const deals: Deal[] = [];
  let after: string | null = null;
  do {
    const page = await repos.deals.list({ pipelineId, after, limit: 200 });
    deals.push(...page.deals);
    after = page.next;
  } while (after !== null);
  return deals;
}

/** Builds the board of a pipeline from its deals. */
export function buildBoard(ws: Workspace, pipelineId: string, deals: readonly Deal[], now: number): BoardView {
  const found = findPipeline(ws, pipelineId);
  if (!found) throw new Error(`pipeline ${pipelineId} is not in the workspace`);
  const rotting = new Set(stalledDeals(ws, deals, { now }).map((s) => s.dealId));
  const dwell = new Map(dwellStats(deals, { now, pipelineId, includeOpen: true }).map((row) => [row.stageId, row.medianMs]));
  const columns = columnStages(found.layout, found.pipeline).map((stage): Column => {
    const inStage = deals.filter((d) => d.stageId === stage.id).sort(byNewestMove);
    return {
      stage,
      count: inStage.length,
      totals: totalsOf(inStage),
      rotting: inStage.filter((d) => rotting.has(d.id)).length,
      deals: inStage,
      medianDwellMs: dwell.get(stage.id) ?? null,
    };
  });
  return { ...found, columns, rotting };
}

function totalsOf(deals: readonly Deal[]): Record<string, { amount: number; weighted: number }> {
  const totals: Record<string, { amount: number; weighted: number }> = {};
  for (const d of deals) {
    if (d.amount === null) continue;
    const t = (totals[d.currency ?? ''] ??= { amount: 0, weighted: 0 });
    t.amount += d.amount;
    t.weighted += (d.amount * d.probability) / 100;
  }
  return totals;
}

/** The deal that entered its stage last comes first. */
function byNewestMove(a: Deal, b: Deal): number {
  return (b.history.at(-1)?.enteredAt ?? 0) - (a.history.at(-1)?.enteredAt ?? 0) || a.id.localeCompare(b.id);
}
