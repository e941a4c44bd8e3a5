import { fail } from '../errors.js';
import type { Context, WorkspaceCommand } from '../model/commands.js';
import type { Workspace } from '../model/layout.js';
import type { PipelineStage } from '../model/pipeline.js';
import type { WorkspaceEvent } from './events.js';
import { stripUndefinedKeys } from '../model/stripUndefinedKeys.js';
import { metaFor, pruneRules, requireLayout, requireStage } from './helpers.js';
import { indexOf } from './lookup.js';
import { own } from '../_internal/records.js';
import { plural } from '../_internal/plural.js';

type Cmd<T extends WorkspaceCommand['type']> = Extract<WorkspaceCommand, { type: T }>;

export function decideAddLayout(ws: Workspace, c: Cmd<'addLayout'>, ctx: Context): WorkspaceEvent[] {
  if (indexOf(ws).layouts.has(c.layoutId)) {
    fail('duplicate_id', `layout ${c.layoutId} already exists`, { layoutId: c.layoutId });
  }
  if (ws.layouts.length >= ctx.limits.maxLayouts) {
    fail('limit_exceeded', `a workspace can hold at most ${plural(ctx.limits.maxLayouts, 'layout')}`, { limit: ctx.limits.maxLayouts });
  }
  checkStageCount(c.layoutId, c.stages.length, ctx);
  const seen = new Set<string>();
  for (const [i, s] of c.stages.entries()) {
    if (seen.has(s.id)) fail('duplicate_id', `command.stages[${i}]: stage ${s.id} is listed twice`, { path: `command.stages[${i}]`, stageId: s.id });
    seen.add(s.id);
  }
  if (!c.stages.some((s) => s.outcome === 'open')) {
    fail('invalid_input', 'command.stages: a layout needs at least one open stage', { path: 'command.stages' });
  }
  const layout = { id: c.layoutId, name: c.name, stages: c.stages.map(stripUndefinedKeys), pipelines: [], defaultPipelineId: null };
  return [{ ...metaFor(ws, ctx), type: 'layoutAdded', layout }];
}

export function decideRenameLayout(ws: Workspace, c: Cmd<'renameLayout'>, ctx: Context): WorkspaceEvent[] {
  const layout = requireLayout(ws, c.layoutId);
  if (layout.name === c.name) return [];
  return [{ ...metaFor(ws, ctx), type: 'layoutRenamed', layoutId: c.layoutId, name: c.name }];
}

export function decideAddStage(ws: Workspace, c: Cmd<'addStage'>, ctx: Context): WorkspaceEvent[] {
  const layout = requireLayout(ws, c.layoutId);
  if (layout.stages.some((s) => s.id === c.stage.id)) {
    fail('duplicate_id', `stage ${c.stage.id} already exists in layout ${c.layoutId}`, { layoutId: c.layoutId, stageId: c.stage.id });
  }
  checkStageCount(c.layoutId, layout.stages.length + 1, ctx);
  const index = c.index ?? layout.stages.length;
  if (index > layout.stages.length) {
    fail('invalid_input', `command.index: must be at most ${layout.stages.length}`, { path: 'command.index' });
  }
  return [{ ...metaFor(ws, ctx), type: 'stageAdded', layoutId: c.layoutId, stage: stripUndefinedKeys(c.stage), index }];
}

export function decideUpdateStage(ws: Workspace, c: Cmd<'updateStage'>, ctx: Context): WorkspaceEvent[] {
  const layout = requireLayout(ws, c.layoutId);
  const stage = requireStage(layout, c.stageId);
  const patch = stripUndefinedKeys(c.patch);
  const changed = Object.entries(patch).some(([k, v]) => (stage as Record<string, unknown>)[k] !== (v ?? undefined));
  if (!changed) return [];
  return [{ ...metaFor(ws, ctx), type: 'stageUpdated', layoutId: c.layoutId, stageId: c.stageId, patch }];
}

export function decideReorderStages(ws: Workspace, c: Cmd<'reorderStages'>, ctx: Context): WorkspaceEvent[] {
  const layout = requireLayout(ws, c.layoutId);
  const current = new Set(layout.stages.map((s) => s.id));
  const given = new Set(c.stageIds);
  const missing = [...current].filter((id) => !given.has(id));
  const extra = [...given].filter((id) => !current.has(id));
  if (given.size !== c.stageIds.length || missing.length > 0 || extra.length > 0) {
    fail('invalid_input', 'command.stageIds: must list every stage of the layout exactly once', {
      path: 'command.stageIds',
      missing,
      extra,
    });
  }
  if (layout.stages.every((s, i) => s.id === c.stageIds[i])) return [];
  return [{ ...metaFor(ws, ctx), type: 'stagesReordered', layoutId: c.layoutId, stageIds: c.stageIds }];
}

export function decideRemoveStage(ws: Workspace, c: Cmd<'removeStage'>, ctx: Context): WorkspaceEvent[] {
  const layout = requireLayout(ws, c.layoutId);
  requireStage(layout, c.stageId);
  const replacement = c.replacementStageId ?? null;
  if (replacement !== null) {
    requireStage(layout, replacement);
    if (replacement === c.stageId) {
      fail('invalid_input', 'command.replacementStageId: must differ from the removed stage', { path: 'command.replacementStageId' });
    }
  }
  if (!layout.stages.some((s) => s.id !== c.stageId && s.outcome === 'open')) {
    fail('stage_in_use', `stage ${c.stageId} is the last open stage of layout ${c.layoutId}`, { layoutId: c.layoutId, stageId: c.stageId });
  }
  const outcomes = new Map(layout.stages.map((s) => [s.id, s.outcome]));
  for (const p of layout.pipelines) {
    const stages = replaceStage(p.stages, c.stageId, replacement);
    if (!stages.some((s) => outcomes.get(s.stageId) === 'open')) {
      fail('stage_in_use', `pipeline ${p.id} would be left without an open stage; give a replacement stage`, {
        pipelineId: p.id,
        stageId: c.stageId,
      });
    }
    pruneRules(renameInRules(p.rules, c.stageId, replacement), new Set(stages.map((s) => s.stageId)), p.id);
  }
  return [{ ...metaFor(ws, ctx), type: 'stageRemoved', layoutId: c.layoutId, stageId: c.stageId, replacementStageId: replacement }];
}

/** A pipeline's stages after `stageId` is removed: the replacement takes its place unless already there. */
export function replaceStage(stages: readonly PipelineStage[], stageId: string, replacement: string | null): PipelineStage[] {
  if (!stages.some((s) => s.stageId === stageId)) return [...stages];
  const hasReplacement = replacement !== null && stages.some((s) => s.stageId === replacement);
  const out: PipelineStage[] = [];
  for (const s of stages) {
    if (s.stageId !== stageId) out.push(s);
    else if (replacement !== null && !hasReplacement) out.push({ stageId: replacement });
  }
  return out;
}

/** Rules with `stageId` renamed to the replacement (or dropped when there is none). */
export function renameInRules<R extends { creationStageIds?: string[] | undefined; allowed?: Record<string, string[]> | undefined }>(
  rules: R,
  stageId: string,
  replacement: string | null,
): R {
  const rename = (ids: readonly string[]): string[] => {
    const out: string[] = [];
    for (const id of ids) {
      const next = id === stageId ? replacement : id;
      if (next !== null && !out.includes(next)) out.push(next);
    }
    return out;
  };
  const next = { ...rules };
  if (rules.creationStageIds) next.creationStageIds = rename(rules.creationStageIds);
  if (rules.allowed) {
    const graph: Record<string, string[]> = {};
    for (const [from, tos] of Object.entries(rules.allowed)) {
      const key = from === stageId ? replacement : from;
      if (key === null) continue;
      graph[key] = rename([...(own(graph, key) ?? []), ...tos]).filter((id) => id !== key || from === key);
    }
    next.allowed = graph;
  }
  return next;
}

function checkStageCount(layoutId: string, count: number, ctx: Context): void {
  if (count > ctx.limits.maxStagesPerLayout) {
    fail('limit_exceeded', `layout ${layoutId} can hold at most ${plural(ctx.limits.maxStagesPerLayout, 'stage')}`, {
      layoutId,
      limit: ctx.limits.maxStagesPerLayout,
    });
  }
}
