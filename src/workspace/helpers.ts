import { fail } from '../errors.js';
import type { Context } from '../model/commands.js';
import type { Layout, Workspace } from '../model/layout.js';
import type { Pipeline, PipelineStage, TransitionRules } from '../model/pipeline.js';
import type { StageDef } from '../model/stage.js';
import { indexOf } from './lookup.js';
import { plural } from '../_internal/plural.js';
import { stripUndefinedKeys } from '../model/stripUndefinedKeys.js';
import type { WorkspaceEventMeta } from './events.js';

/** Meta of the events of the next accepted command. */
export function metaFor(ws: Workspace, ctx: Context, index = 0): WorkspaceEventMeta {
  const version = ws.version + 1;
  return { id: workspaceEventId(version, index), at: ctx.at, by: ctx.by, version };
}

/** The stable id of the `index`-th event of the command that produced workspace `version`. */
export function workspaceEventId(version: number, index: number): string {
  return `workspace/${version}/${index}`;
}

export function requireLayout(ws: Workspace, layoutId: string): Layout {
  return indexOf(ws).layouts.get(layoutId) ?? fail('not_found', `layout ${layoutId} does not exist`, { layoutId });
}

export function requirePipeline(ws: Workspace, pipelineId: string): Pipeline {
  return (
    indexOf(ws).pipelines.get(pipelineId) ?? fail('not_found', `pipeline ${pipelineId} does not exist`, { pipelineId })
  );
}

export function requireStage(layout: Layout, stageId: string): StageDef {
  return (
    layout.stages.find((s) => s.id === stageId) ??
    fail('not_found', `stage ${stageId} is not in the picklist of layout ${layout.id}`, { layoutId: layout.id, stageId })
  );
}

/** Normalises a pipeline's stage list (ids or objects) and checks it against the layout's picklist. */
export function resolvePipelineStages(
  layout: Layout,
  input: readonly (string | PipelineStage)[],
  label: string,
): PipelineStage[] {
  const stages = input.map((s) => (typeof s === 'string' ? { stageId: s } : stripUndefinedKeys(s)));
  const seen = new Set<string>();
  for (const [i, s] of stages.entries()) {
    requireStage(layout, s.stageId);
    if (seen.has(s.stageId)) {
      fail('duplicate_id', `${label}[${i}]: stage ${s.stageId} is listed twice`, { path: `${label}[${i}]`, stageId: s.stageId });
    }
    seen.add(s.stageId);
  }
  if (!stages.some((s) => layout.stages.find((d) => d.id === s.stageId)?.outcome === 'open')) {
    fail('invalid_input', `${label}: a pipeline needs at least one open stage`, { path: label });
  }
  return stages;
}

/** Checks that the rules only name stages of the pipeline. */
export function checkRuleReferences(rules: TransitionRules, stageIds: ReadonlySet<string>, label: string): void {
  for (const id of rules.creationStageIds ?? []) {
    if (!stageIds.has(id)) {
      fail('stage_not_in_pipeline', `${label}.creationStageIds: stage ${id} is not in the pipeline`, { path: `${label}.creationStageIds`, stageId: id });
    }
  }
  for (const [from, tos] of Object.entries(rules.allowed ?? {})) {
    for (const id of [from, ...tos]) {
      if (!stageIds.has(id)) {
        fail('stage_not_in_pipeline', `${label}.allowed: stage ${id} is not in the pipeline`, { path: `${label}.allowed`, stageId: id });
      }
    }
  }
}

/** Drops references to stages a pipeline no longer holds; refuses to empty `creationStageIds`. */
export function pruneRules(rules: TransitionRules, stageIds: ReadonlySet<string>, pipelineId: string): TransitionRules {
  const next: TransitionRules = { ...rules };
  if (rules.creationStageIds) {
    const kept = rules.creationStageIds.filter((id) => stageIds.has(id));
    if (kept.length === 0) {
      fail('stage_in_use', `pipeline ${pipelineId} would be left with no creation stage`, { pipelineId });
    }
    next.creationStageIds = kept;
  }
  if (rules.allowed) {
    const graph: Record<string, string[]> = {};
    for (const [from, tos] of Object.entries(rules.allowed)) {
      if (stageIds.has(from)) graph[from] = tos.filter((id) => stageIds.has(id));
    }
    next.allowed = graph;
  }
  return next;
}

export function checkPipelineCount(layout: Layout, adding: number, ctx: Context): void {
  const max = ctx.limits.maxPipelinesPerLayout;
  if (layout.pipelines.length + adding > max) {
    fail('limit_exceeded', `layout ${layout.id} can hold at most ${plural(max, 'pipeline')}`, { layoutId: layout.id, limit: max });
  }
}
