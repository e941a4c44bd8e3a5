import { isPipelineError, PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Layout, Workspace } from '../model/layout.js';
import { DEFAULT_RULES, type Pipeline, type PipelineStage } from '../model/pipeline.js';
import type { StageDef } from '../model/stage.js';
import { shapedInvariantViolations } from '../deals/checkInvariants.js';
import { dealProblem } from './dealCheck.js';
import type { DraftDeal, DraftLayout, DraftPipeline, DraftPipelineStage, DraftStage, Warnings } from './draft.js';
import { buildDeal } from './dealHistory.js';
import { cleanName } from './read.js';

/** A layout being assembled: its picklist and pipelines, grown by what deals need. */
interface Work {
  readonly draft: DraftLayout;
  readonly stages: Map<string, DraftStage>;
  readonly keptStages: Set<string>;
  readonly pipelines: Map<string, { draft: DraftPipeline; stageIds: string[]; kept: boolean }>;
  /** Stage definitions by id, for building deals (kept stages included as they are kept). */
  readonly defs: Map<string, StageDef>;
}

/**
 * Turns drafts into a workspace and deals, deal by deal, so that an import can run page by page:
 * `add` places and builds one deal, `workspace` gives the workspace the deals so far need, and
 * `finish` the final one with the warnings only the whole import can tell. Stages and pipelines
 * deleted in the CRM are kept where a deal or its history needs them; a deal's current stage is
 * added to its pipeline when the pipeline lost it. A deal the model cannot hold (an unstorable
 * name, a broken invariant) is left out with a `deal_skipped` warning at its payload path.
 */
export class Assembly {
  private readonly works: Map<string, Work>;
  private readonly seen = new Set<string>();
  /** Stage slots by pipeline, from the CRM's pipelines (deleted ones included): the probabilities deals are built with. */
  private readonly slots: ReadonlyMap<string, ReadonlyMap<string, DraftPipelineStage>>;

  constructor(layouts: readonly DraftLayout[], private readonly warnings: Warnings) {
    this.works = new Map(layouts.map((l) => [l.id, workOf(l)]));
    this.slots = new Map(layouts.flatMap((l) => l.pipelines.map((p) => [p.id, new Map(p.stages.map((s) => [s.stageId, s]))] as const)));
  }

  /** Places a deal; false when it is a second record of a deal already added. */
  place(deal: DraftDeal): boolean {
    if (this.seen.has(deal.id)) {
      this.warnings.add('deal_skipped', deal.path, `deal ${deal.id} appears again; only its first record is imported`);
      return false;
    }
    this.seen.add(deal.id);
    const work = this.works.get(deal.layoutId);
    if (!work) throw new PipelineError('invalid_input', `${deal.path}: layout ${deal.layoutId} does not exist`, { path: deal.path });
    place(work, deal, this.warnings);
    return true;
  }

  /** Builds a placed deal; null (with a warning) when the model cannot hold it. */
  build(deal: DraftDeal): Deal | null {
    const work = this.works.get(deal.layoutId)!;
    let built: Deal;
    try {
      built = buildDeal(deal, work.defs, this.slots, this.warnings);
    } catch (e) {
      if (!isPipelineError(e)) throw e;
      this.warnings.add('deal_skipped', deal.path, `deal ${deal.id} cannot be imported (${e.message}); left out`);
      return null;
    }
    const problem = dealProblem(built);
    if (problem === null) return built;
    this.warnings.add('deal_skipped', problemPath(deal, problem), `deal ${deal.id} cannot be imported (${problem.message}); left out`);
    return null;
  }

  /** Places and builds one deal. */
  add(deal: DraftDeal): Deal | null {
    return this.place(deal) ? this.build(deal) : null;
  }

  /** The workspace the deals added so far need (no warnings: later deals may change it). */
  workspace(): Workspace {
    return { version: 1, layouts: [...this.works.values()].map((w) => finishLayout(w, null)).filter((l): l is Layout => l !== null) };
  }

  /** The final workspace, with the warnings about pipelines left out or completed. */
  finish(): Workspace {
    return { version: 1, layouts: [...this.works.values()].map((w) => finishLayout(w, this.warnings)).filter((l): l is Layout => l !== null) };
  }

  /**
   * Checks deals against a workspace; a deal breaking an invariant is left out with a warning,
   * a broken workspace is refused.
   */
  verify(workspace: Workspace, deals: Deal[], drafts: ReadonlyMap<string, DraftDeal>): Deal[] {
    return verify(workspace, deals, drafts, this.warnings);
  }
}

/**
 * Turns drafts into a workspace and deals at once (every deal placed, then the workspace
 * finished, then every deal built). The result is checked against the model's invariants; a deal
 * that fails is left out with a warning, a workspace that fails is refused with `invalid_input`.
 */
export function assemble(layouts: readonly DraftLayout[], drafts: readonly DraftDeal[], warnings: Warnings): { workspace: Workspace; deals: Deal[] } {
  const a = new Assembly(layouts, warnings);
  const placed = drafts.filter((d) => a.place(d));
  const workspace = a.finish();
  const built: Deal[] = [];
  for (const d of placed) {
    const deal = a.build(d);
    if (deal) built.push(deal);
  }
  return { workspace, deals: a.verify(workspace, built, new Map(placed.map((d) => [d.id, d]))) };
}

function workOf(l: DraftLayout): Work {
  return {
    draft: l,
    stages: new Map(l.stages.map((s) => [s.id, s])),
    keptStages: new Set(),
    pipelines: new Map(l.pipelines.map((p) => [p.id, { draft: p, stageIds: p.stages.map((s) => s.stageId), kept: false }])),
    defs: new Map(l.stages.filter((s) => !s.deleted).map((s) => [s.id, stageDef(s)])),
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
    work.defs.set(stageId, stageDef(known));
    warnings.add('stage_kept', known.path, `stage ${stageId} is deleted or archived in the CRM; kept because a deal or its history names it`);
    return;
  }
  const name = work.draft.stageNames?.get(stageId) ?? stageId;
  const kept: DraftStage = { id: stageId, name, probability: 0, outcome: 'open', forecastCategory: 'pipeline', deleted: true, path };
  work.stages.set(stageId, kept);
  work.defs.set(stageId, stageDef(kept));
  warnings.add('stage_kept', path, `stage ${stageId} (${name}) is not in the CRM's configuration; kept as an open stage with probability 0 because history names it`);
}

/** The layout as the deals so far need it; `warnings` null: say nothing (a later deal may change it). */
function finishLayout(work: Work, warnings: Warnings | null): Layout | null {
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
        const listsOpen = p.draft.stages.some((s) => work.stages.get(s.stageId)?.outcome === 'open');
        const why = listsOpen ? 'its open stages are all deleted' : 'the payload names no open stage in it';
        warnings?.add('pipeline_skipped', p.draft.path, `pipeline ${p.draft.id} is left out: ${why}, and a pipeline needs one`);
        continue;
      }
      ids.unshift(open.id);
      warnings?.add('stage_added_to_pipeline', p.draft.path, `pipeline ${p.draft.id} has no open stage; stage ${open.id} is added to it`);
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

/** Where in the payload a problem with a built deal's field comes from: the field the draft read it from when known. */
function problemPath(deal: DraftDeal, problem: { path: string }): string {
  const field = problem.path.split('.')[0] ?? '';
  return deal.sources?.[field] ?? deal.path;
}

/** The importers' own guarantee: what they return keeps every invariant of the model. */
function verify(workspace: Workspace, deals: Deal[], drafts: ReadonlyMap<string, DraftDeal>, warnings: Warnings): Deal[] {
  let now = 0;
  for (const d of deals) now = Math.max(now, d.updatedAt, d.history[d.history.length - 1]!.enteredAt);
  const violations = shapedInvariantViolations(workspace, deals, now);
  if (violations.length === 0) return deals;
  const bad = new Set<string>();
  for (const v of violations) {
    if (v.dealId === undefined) throw new PipelineError('invalid_input', `payload: the payload describes a state the model cannot hold (${v.message})`, { path: 'payload', violations });
    if (bad.has(v.dealId)) continue;
    bad.add(v.dealId);
    const draft = drafts.get(v.dealId);
    warnings.add('deal_skipped', draft?.path ?? 'payload', `deal ${v.dealId} describes a state the model cannot hold (${v.message}); left out`);
  }
  return deals.filter((d) => !bad.has(d.id));
}
