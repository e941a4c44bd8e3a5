import type { DraftPipeline, Warnings } from './draft.js';

// Vendors whose history rows carry no pipeline (Salesforce's OpportunityHistory, Zoho's
// Stage_History) still say which stage each row entered, and a stage belongs to the pipelines
// that list it. After a record-type change or a move between pipelines, the earlier rows name
// stages the deal's current pipeline may not list: those visits happened elsewhere.

/** The pipelines of one layout, as far as placing visits needs them. */
export interface PipelineIndex {
  /** Pipeline id → the stage ids it lists. */
  readonly stagesOf: ReadonlyMap<string, ReadonlySet<string>>;
  /** Stage id → the pipelines a visit to it can be placed in (the standard one excluded where it holds every stage). */
  readonly holders: ReadonlyMap<string, readonly string[]>;
  /** Where a visit goes when several pipelines or none list its stage. */
  readonly standardId: string;
}

/**
 * The index of a layout's pipelines: a visit can be placed in a live pipeline that `holds` it
 * (Salesforce leaves its standard pipeline out, which lists every stage; Zoho counts every
 * pipeline). Deleted pipelines keep their deals but receive no visit.
 */
export function indexPipelines(pipelines: readonly DraftPipeline[], standardId: string, counts: (p: DraftPipeline) => boolean): PipelineIndex {
  const stagesOf = new Map<string, Set<string>>();
  const holders = new Map<string, string[]>();
  for (const p of pipelines) {
    stagesOf.set(p.id, new Set(p.stages.map((s) => s.stageId)));
    if (p.deleted || !counts(p)) continue;
    for (const s of p.stages) {
      const list = holders.get(s.stageId);
      if (list) list.push(p.id);
      else holders.set(s.stageId, [p.id]);
    }
  }
  return { stagesOf, holders, standardId };
}

/** One row to place: its stage, and its own pipeline when the row names one. */
export interface RowToPlace {
  readonly stageId: string;
  readonly pipelineId?: string;
  readonly path: string;
}

/**
 * The pipeline of each row, walking back from the deal's current pipeline: a row stays in the
 * pipeline the deal was in after it while that pipeline lists the row's stage; otherwise it goes
 * to the one pipeline that lists the stage, or to the standard pipeline when several or none do,
 * with a `pipeline_guessed` warning, and the rows before it are judged against that pipeline.
 * The rows at the end in the deal's current stage stay in its current pipeline (which gets the
 * stage when it lacks it).
 */
export function placeVisits(rows: readonly RowToPlace[], deal: { id: string; pipelineId: string; stageId: string }, index: PipelineIndex, w: Warnings): string[] {
  const out = new Array<string>(rows.length);
  let current = deal.pipelineId;
  let trailing = true;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    trailing &&= row.stageId === deal.stageId;
    if (row.pipelineId !== undefined) {
      current = out[i] = row.pipelineId;
      continue;
    }
    if (trailing || index.stagesOf.get(current)?.has(row.stageId) === true) {
      out[i] = current;
      continue;
    }
    const holders = index.holders.get(row.stageId) ?? [];
    const target = holders.length === 1 ? holders[0]! : index.standardId;
    if (target === current) {
      // A stage no pipeline lists (deleted in the CRM) in the standard pipeline: nothing to move.
      out[i] = current;
      continue;
    }
    const why = holders.length === 1 ? 'the one pipeline that lists it' : `the standard pipeline (${holders.length === 0 ? 'no' : holders.length} pipelines list it)`;
    w.add('pipeline_guessed', row.path, `deal ${deal.id}: stage ${row.stageId} is not in pipeline ${current}, where the deal was next; the visit is placed in ${target}, ${why}`);
    out[i] = target;
    if (index.stagesOf.get(target)?.has(row.stageId) === true) current = target;
  }
  return out;
}
