// What a board shows: the pipeline's stages in order, and per column the deals, their count,
// totals per currency, rotting deals and the median dwell (time deals spend in the stage).
import { stalledDeals, type BoardColumn, type Layout, type Pipeline, type StageDef, type Workspace } from 'sales-pipelines';
import type { HttpClient } from 'sales-pipelines/http';

/** A stage as the pipeline shows it: the picklist definition with the pipeline's overrides. */
export interface ColumnStage extends StageDef {
  readonly requiredFields: readonly string[];
}

/** One column of a board: the service's column, with the deals shown and their median dwell. */
export interface Column extends BoardColumn {
  /** Median dwell in this stage over every visit stored deals made to it, open ones up to now; null if none. */
  readonly medianDwellMs: number | null;
}

/** A pipeline as a board. */
export interface BoardView {
  readonly layout: Layout;
  readonly pipeline: Pipeline;
  readonly columns: readonly Column[];
  /** Ids of the shown deals that are rotting: in their stage longer than its `rotAfterDays`. */
  readonly rotting: ReadonlySet<string>;
}

/** How many deals to show: per column, and more in the columns where "show more" was asked. */
export interface BoardRequest {
  readonly perStage: number;
  /** Deals to show beyond `perStage`, per stage id. */
  readonly more: ReadonlyMap<string, number>;
  readonly now: number;
}

/**
 * Loads a board with `board` (counts, totals and rotting counts come from the store, one page of
 * lean cards per column), pages further into the columns where more were asked for with
 * `listDeals`, and adds the median dwell over the stored deals (the `dwellStats` report).
 */
export async function loadBoard(service: HttpClient, ws: Workspace, pipelineId: string, request: BoardRequest): Promise<BoardView> {
  const found = findPipeline(ws, pipelineId);
  if (!found) throw new Error(`pipeline ${pipelineId} is not in the workspace`);
  const board = await service.board(pipelineId, { perStage: request.perStage, now: request.now });
  const columns = await Promise.all(
    board.columns.map(async (column) => {
      const more = request.more.get(column.stage.id) ?? 0;
      if (more === 0 || column.next === null) return column;
      const page = await service.listDeals({ pipelineId, stageId: column.stage.id, after: column.next, limit: more });
      return { ...column, deals: [...column.deals, ...page.deals], next: page.next };
    }),
  );
  const shown = columns.flatMap((c) => c.deals);
  // A lean card's one visit is its current one: enough for stalledDeals to tell whether it is rotting.
  const rotting = new Set(stalledDeals(ws, shown, { now: request.now }).map((s) => s.dealId));
  const rows = await service.report('dwellStats', { now: request.now, pipelineId, includeOpen: true });
  const dwell = new Map(rows.map((row) => [row.stageId, row.medianMs]));
  return {
    ...found,
    columns: columns.map((column) => ({ ...column, medianDwellMs: dwell.get(column.stage.id) ?? null })),
    rotting,
  };
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
