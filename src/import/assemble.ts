import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Layout, Workspace } from '../model/layout.js';
import { DEFAULT_RULES, type Pipeline, type PipelineStage } from '../model/pipeline.js';
import type { StageDef } from '../model/stage.js';
import { checkInvariants } from '../testing/checkInvariants.js';
import type { DraftDeal, DraftLayout, DraftPipeline, DraftStage, Warnings } from './draft.js';
import { buildDeal } from './dealHistory.js';
import { cleanName } from './read.js';

/** A layout being assembled: its picklist and pipelines, grown by what deals need. */
interface Work {
  readonly draft: DraftLayout;
  readonly stages: Map<string, DraftStage>;
  readonly keptStages: Set<string>;
  readonly pipelines: Map<string, { draft: DraftPipeline; stageIds: string[]; kept: boolean }>;
}

/**
 * Turns drafts into a workspace and deals. Stages and pipelines deleted in the CRM are kept where
 * a deal or its history needs them; a deal's current stage is added to its pipeline when the
 * pipeline lost it. The result is checked against the model's invariants; a failure there is
 * reported as `invalid_input`, never as another exception.
 */
export function assemble(layouts: readonly DraftLayout[], drafts: readonly DraftDeal[], warnings: Warnings): { workspace: Workspace; deals: Deal[] } {
  const works = new Map<string, Work>(layouts.map((l) => [l.id, workOf(l)]));
  const deals = unique(drafts, warnings);
  for (const deal of deals) {
    const work = works.get(deal.layoutId);
    if (!work) throw new PipelineError('invalid_input', `${deal.path}: layout ${deal.layoutId} does not exist`, { path: deal.path });
    place(work, deal, warnings);
  }
  const built = [...works.values()].map((w) => finishLayout(w, warnings)).filter((l): l is Layout => l !== null);
  const workspace: Workspace = { version: 1, layouts: built };
  const defs = new Map(built.map((l) => [l.id, new Map(l.stages.map((s) => [s.id, s]))]));
  const pipelines = new Map(built.flatMap((l) => l.pipelines.map((p) => [p.id, p] as const)));
  const out = deals.map((d) => buildDeal(d, defs.get(d.layoutId)!, pipelines, warnings));
  verify(workspace, out);
  return { workspace, deals: out };
}

/** Pages fetched while records changed can list a deal twice: the first one counts. */
function unique(drafts: readonly DraftDeal[], warnings: Warnings): DraftDeal[] {
  const seen = new Set<string>();
  return drafts.filter((d) => {
    if (!seen.has(d.id)) return seen.add(d.id);
    warnings.add('deal_skipped', d.path, `deal ${d.id} appears again; only its first record is imported`);
    return false;
  });
}

function workOf(l: DraftLayout): Work {
  return {
    draft: l,
    stages: new Map(l.stages.map((s) => [s.id, s])),
    keptStages: new Set(),
    pipelines: new Map(l.pipelines.map((p) => [p.id, { draft: p, stageIds: p.stages.map((s) => s.stageId), kept: false }])),
  };
}

/** Makes sure the stages and pipeline a deal names exist. */
function place(work: Work, deal: DraftDeal, warnings: Warnings): void {
  for (const v of deal.visits) keepStage(work, v.stageId, deal.path, warnings);
  keepStage(work, deal.stageId, deal.path, warnings);
  if (deal.pipelineId === null) return;
  let p = work.pipelines.get(deal.pipelineId);
  if (!p) {
    const draft: DraftPipeline = { id: deal.pipelineId, name: cleanName(`${deal.pipelineId} (deleted)`, deal.pipelineId), stages: [], standard: false, isDefault: false, deleted: true, path: deal.path };
    p = { draft, stageIds: [], kept: false };
    work.pipelines.set(deal.pipelineId, p);
  }
  if (p.draft.deleted && !p.kept) {
    p.kept = true;
    warnings.add('pipeline_kept', p.draft.path, `pipeline ${p.draft.id} is deleted or archived in the CRM; kept because deal ${deal.id} is in it`);
  }
  if (!p.stageIds.includes(deal.stageId)) {
    p.stageIds.push(deal.stageId);
    warnings.add('stage_added_to_pipeline', deal.path, `deal ${deal.id} is in stage ${deal.stageId}, which pipeline ${p.draft.id} does not list; the stage is added to the pipeline`);
  }
}

function keepStage(work: Work, stageId: string, path: string, warnings: Warnings): void {
  const known = work.stages.get(stageId);
  if (known && !known.deleted) return;
  if (work.keptStages.has(stageId)) return;
  work.keptStages.add(stageId);
  if (known) {
    warnings.add('stage_kept', known.path, `stage ${stageId} is deleted or archived in the CRM; kept because a deal or its history names it`);
    return;
  }
  const name = work.draft.stageNames?.get(stageId) ?? stageId;
  work.stages.set(stageId, { id: stageId, name, probability: 0, outcome: 'open', forecastCategory: 'pipeline', deleted: true, path });
  warnings.add('stage_kept', path, `stage ${stageId} (${name}) is not in the CRM's configuration; kept as an open stage with probability 0 because history names it`);
}

function finishLayout(work: Work, warnings: Warnings): Layout | null {
  const stages: StageDef[] = [];
  for (const s of work.stages.values()) {
    if (s.deleted && !work.keptStages.has(s.id)) continue;
    stages.push(stageDef(s));
  }
  if (stages.length === 0) return null;
  const outcomes = new Map(stages.map((s) => [s.id, s.outcome]));
  const pipelines: Pipeline[] = [];
  let standardId: string | null = null;
  let defaultId: string | null = null;
  for (const p of work.pipelines.values()) {
    if (p.draft.deleted && !p.kept) continue;
    const ids = p.stageIds.filter((id, i, all) => outcomes.has(id) && all.indexOf(id) === i);
    if (!ids.some((id) => outcomes.get(id) === 'open')) {
      const open = stages.find((s) => s.outcome === 'open');
      if (!open || !p.kept) {
        warnings.add('stage_kept', p.draft.path, `pipeline ${p.draft.id} has no open stage and is left out`);
        continue;
      }
      ids.unshift(open.id);
      warnings.add('stage_added_to_pipeline', p.draft.path, `pipeline ${p.draft.id} has no open stage; stage ${open.id} is added to it`);
    }
    const overrides = new Map(p.draft.stages.map((s) => [s.stageId, s]));
    pipelines.push({
      id: p.draft.id,
      layoutId: work.draft.id,
      name: p.draft.name,
      standard: false,
      stages: ids.map((stageId) => pipelineStage(stageId, overrides.get(stageId))),
      rules: { ...DEFAULT_RULES },
    });
    if (p.draft.standard && standardId === null) standardId = p.draft.id;
    if (p.draft.isDefault && defaultId === null) defaultId = p.draft.id;
  }
  const first = pipelines[0];
  if (first) {
    standardId ??= defaultId ?? first.id;
    defaultId ??= standardId;
    for (const p of pipelines) if (p.id === standardId) (p as { standard: boolean }).standard = true;
  }
  return { id: work.draft.id, name: work.draft.name, stages, pipelines, defaultPipelineId: first ? defaultId : null };
}

function stageDef(s: DraftStage): StageDef {
  const def: StageDef = { id: s.id, name: s.name, probability: s.probability, outcome: s.outcome, forecastCategory: s.forecastCategory };
  return s.rotAfterDays === undefined ? def : { ...def, rotAfterDays: s.rotAfterDays };
}

function pipelineStage(stageId: string, o: { probability?: number; rotAfterDays?: number } | undefined): PipelineStage {
  const out: PipelineStage = { stageId };
  if (o?.probability !== undefined) out.probability = o.probability;
  if (o?.rotAfterDays !== undefined) out.rotAfterDays = o.rotAfterDays;
  return out;
}

/** The importers' own guarantee: what they return keeps every invariant of the model. */
function verify(workspace: Workspace, deals: readonly Deal[]): void {
  // checkInvariants parses each deal's shape too (a 'shape' violation): once is enough.
  let now = 0;
  for (const d of deals) now = Math.max(now, d.updatedAt, d.history[d.history.length - 1]!.enteredAt);
  const violations = checkInvariants(workspace, deals, { now });
  const first = violations[0];
  if (first) {
    const path = first.dealId === undefined ? 'payload' : `deal ${first.dealId}`;
    throw new PipelineError('invalid_input', `${path}: the payload describes a state the model cannot hold (${first.message})`, { path, violations });
  }
}
