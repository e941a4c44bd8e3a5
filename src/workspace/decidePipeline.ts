import { fail } from '../errors.js';
import type { Context, TransitionRulesPatch, WorkspaceCommand } from '../model/commands.js';
import type { Workspace } from '../model/layout.js';
import { DEFAULT_RULES, type Pipeline, type TransitionRules } from '../model/pipeline.js';
import type { WorkspaceEvent } from './events.js';
import {
  checkPipelineCount,
  checkRuleReferences,
  metaFor,
  pruneRules,
  requireLayout,
  requirePipeline,
  resolvePipelineStages,
} from './helpers.js';
import { indexOf } from './lookup.js';
import { own } from '../_internal/records.js';

type Cmd<T extends WorkspaceCommand['type']> = Extract<WorkspaceCommand, { type: T }>;

/**
 * The name given to the standard pipeline of a layout.
 *
 * @example
 * ```ts
 * ws.layouts[0].pipelines.find((p) => p.standard)?.name; // STANDARD_PIPELINE_NAME ('Standard') until renamed
 * ```
 * @category Configuration
 */
export const STANDARD_PIPELINE_NAME = 'Standard';

/** Applies a rules patch: given flags replace, `null` removes an optional rule. */
export function patchRules(base: TransitionRules, patch: TransitionRulesPatch | undefined): TransitionRules {
  const next: TransitionRules = { ...base };
  if (!patch) return next;
  if (patch.allowSkip !== undefined) next.allowSkip = patch.allowSkip;
  if (patch.allowBackward !== undefined) next.allowBackward = patch.allowBackward;
  if (patch.allowReopen !== undefined) next.allowReopen = patch.allowReopen;
  if (patch.requireLostReason !== undefined) next.requireLostReason = patch.requireLostReason;
  if (patch.creationStageIds === null) delete next.creationStageIds;
  else if (patch.creationStageIds !== undefined) next.creationStageIds = [...patch.creationStageIds];
  if (patch.allowed === null) delete next.allowed;
  else if (patch.allowed !== undefined) next.allowed = { ...patch.allowed };
  return next;
}

export function decideCreatePipeline(ws: Workspace, c: Cmd<'createPipeline'>, ctx: Context): WorkspaceEvent[] {
  const layout = requireLayout(ws, c.layoutId);
  const index = indexOf(ws);
  if (index.pipelines.has(c.pipelineId)) {
    fail('duplicate_id', `pipeline ${c.pipelineId} already exists`, { pipelineId: c.pipelineId });
  }
  const stages = resolvePipelineStages(layout, c.stages, 'command.stages');
  const rules = patchRules(DEFAULT_RULES, c.rules);
  checkRuleReferences(rules, new Set(stages.map((s) => s.stageId)), 'command.rules');
  const pipeline: Pipeline = { id: c.pipelineId, layoutId: c.layoutId, name: c.name, standard: false, stages, rules };
  const meta = metaFor(ws, ctx);
  if (layout.pipelines.length > 0) {
    checkPipelineCount(layout, 1, ctx);
    return [{ ...meta, type: 'pipelineCreated', pipeline, makeDefault: c.makeDefault ?? false }];
  }
  checkPipelineCount(layout, 2, ctx);
  const standardId = c.standardPipelineId ?? `${c.layoutId}:standard`;
  if (standardId === c.pipelineId || index.pipelines.has(standardId)) {
    fail('duplicate_id', `pipeline ${standardId} already exists; pass another standardPipelineId`, {
      pipelineId: standardId,
      path: 'command.standardPipelineId',
    });
  }
  const standard: Pipeline = {
    id: standardId,
    layoutId: c.layoutId,
    name: STANDARD_PIPELINE_NAME,
    standard: true,
    stages: layout.stages.map((s) => ({ stageId: s.id })),
    rules: { ...DEFAULT_RULES },
  };
  return [
    { ...meta, type: 'pipelineCreated', pipeline: standard, makeDefault: true },
    { ...metaFor(ws, ctx, 1), type: 'pipelineCreated', pipeline, makeDefault: c.makeDefault ?? false },
  ];
}

export function decideRenamePipeline(ws: Workspace, c: Cmd<'renamePipeline'>, ctx: Context): WorkspaceEvent[] {
  const pipeline = requirePipeline(ws, c.pipelineId);
  if (pipeline.name === c.name) return [];
  return [{ ...metaFor(ws, ctx), type: 'pipelineRenamed', pipelineId: c.pipelineId, name: c.name }];
}

export function decideSetPipelineStages(ws: Workspace, c: Cmd<'setPipelineStages'>, ctx: Context): WorkspaceEvent[] {
  const pipeline = requirePipeline(ws, c.pipelineId);
  const layout = requireLayout(ws, pipeline.layoutId);
  const stages = resolvePipelineStages(layout, c.stages, 'command.stages');
  const rules = pruneRules(pipeline.rules, new Set(stages.map((s) => s.stageId)), pipeline.id);
  if (JSON.stringify(stages) === JSON.stringify(pipeline.stages) && JSON.stringify(rules) === JSON.stringify(pipeline.rules)) {
    return [];
  }
  return [{ ...metaFor(ws, ctx), type: 'pipelineStagesSet', pipelineId: c.pipelineId, stages, rules }];
}

export function decideSetTransitionRules(ws: Workspace, c: Cmd<'setTransitionRules'>, ctx: Context): WorkspaceEvent[] {
  const pipeline = requirePipeline(ws, c.pipelineId);
  const rules = patchRules(pipeline.rules, c.rules);
  checkRuleReferences(rules, new Set(pipeline.stages.map((s) => s.stageId)), 'command.rules');
  if (JSON.stringify(rules) === JSON.stringify(pipeline.rules)) return [];
  return [{ ...metaFor(ws, ctx), type: 'transitionRulesSet', pipelineId: c.pipelineId, rules }];
}

export function decideSetDefaultPipeline(ws: Workspace, c: Cmd<'setDefaultPipeline'>, ctx: Context): WorkspaceEvent[] {
  const layout = requireLayout(ws, c.layoutId);
  if (!layout.pipelines.some((p) => p.id === c.pipelineId)) {
    fail('not_found', `pipeline ${c.pipelineId} is not in layout ${c.layoutId}`, { layoutId: c.layoutId, pipelineId: c.pipelineId });
  }
  if (layout.defaultPipelineId === c.pipelineId) return [];
  return [{ ...metaFor(ws, ctx), type: 'defaultPipelineSet', layoutId: c.layoutId, pipelineId: c.pipelineId }];
}

export function decideDeletePipeline(ws: Workspace, c: Cmd<'deletePipeline'>, ctx: Context): WorkspaceEvent[] {
  const pipeline = requirePipeline(ws, c.pipelineId);
  const layout = requireLayout(ws, pipeline.layoutId);
  if (layout.pipelines.length === 1) {
    fail('last_pipeline', `pipeline ${pipeline.id} is the last pipeline of layout ${layout.id}`, { pipelineId: pipeline.id });
  }
  if (layout.defaultPipelineId === pipeline.id) {
    fail('default_pipeline', `pipeline ${pipeline.id} is the default of layout ${layout.id}; make another the default first`, {
      pipelineId: pipeline.id,
    });
  }
  if (pipeline.standard) {
    fail('standard_pipeline', `pipeline ${pipeline.id} is the standard pipeline of layout ${layout.id}`, { pipelineId: pipeline.id });
  }
  const transferTo = c.transferTo ? resolveTransfer(ws, pipeline, c.transferTo) : null;
  return [{ ...metaFor(ws, ctx), type: 'pipelineDeleted', pipelineId: pipeline.id, transferTo }];
}

/** Resolves the stage map of a transfer: every stage of `from` maps to a stage of the target. */
export function resolveTransfer(
  ws: Workspace,
  from: Pipeline,
  transfer: { pipelineId: string; stageMap?: Record<string, string> | undefined },
): { pipelineId: string; stageMap: Record<string, string> } {
  if (transfer.pipelineId === from.id) {
    fail('invalid_input', 'command.transferTo.pipelineId: cannot transfer to the deleted pipeline', { path: 'command.transferTo.pipelineId' });
  }
  const target = requirePipeline(ws, transfer.pipelineId);
  const targetStages = new Set(target.stages.map((s) => s.stageId));
  const given = transfer.stageMap ?? {};
  const fromStages = new Set(from.stages.map((s) => s.stageId));
  for (const key of Object.keys(given)) {
    if (!fromStages.has(key)) {
      fail('invalid_input', `command.transferTo.stageMap: stage ${key} is not in pipeline ${from.id}`, {
        path: `command.transferTo.stageMap.${key}`,
      });
    }
  }
  const stageMap: Record<string, string> = {};
  const missing: string[] = [];
  for (const { stageId } of from.stages) {
    const mapped = own(given, stageId);
    const to = mapped ?? (targetStages.has(stageId) ? stageId : undefined);
    if (to === undefined) missing.push(stageId);
    else if (!targetStages.has(to)) {
      const path = `command.transferTo.stageMap.${stageId}`;
      fail('stage_not_in_pipeline', `${path}: stage ${to} is not in pipeline ${target.id}`, { path, pipelineId: target.id, stageId: to });
    } else stageMap[stageId] = to;
  }
  if (missing.length > 0) {
    fail('stage_mapping_required', `map stages ${missing.join(', ')} of pipeline ${from.id} to stages of ${target.id}`, {
      pipelineId: target.id,
      missing,
    });
  }
  return { pipelineId: target.id, stageMap };
}
