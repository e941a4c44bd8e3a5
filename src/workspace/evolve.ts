import { guarded, malformed } from '../_internal/guard.js';
import { Immer, type Draft } from 'immer';
import type { Layout, Workspace } from '../model/layout.js';
import type { Pipeline } from '../model/pipeline.js';
import { WORKSPACE_EVENT_TYPES, type WorkspaceEvent } from './events.js';
import { PipelineError } from '../errors.js';
import { frozenCopy } from './validate.js';
import { renameInRules, replaceStage } from './decideLayout.js';

const immer = /* @__PURE__ */ new Immer({ autoFreeze: false });

/**
 * Applies one workspace event. Total: an event that names something missing changes nothing
 * (events are facts already checked by {@link decideWorkspace}). Never mutates `ws`; shares
 * what did not change.
 *
 * @param ws - the workspace before the event
 * @param event - an event from {@link decideWorkspace}
 * @returns the workspace after the event
 * @example
 * ```ts
 * const ws = evolveWorkspace(emptyWorkspace(), {
 *   type: 'layoutAdded', at: 0, by: null, version: 1,
 *   layout: { id: 'sales', name: 'Sales', stages: [], pipelines: [], defaultPipelineId: null },
 * });
 * ws.layouts.length; // 1
 * ```
 * @category Configuration
 * @function
 */
export const evolveWorkspace = /* @__PURE__ */ guarded(function evolveWorkspace(ws: Workspace, event: WorkspaceEvent): Workspace {
  if (typeof ws !== 'object' || ws === null || !Array.isArray(ws.layouts)) {
    throw new PipelineError('invalid_input', 'workspace: expected a workspace', { path: 'workspace' });
  }
  // Frozen as a copy of what is not frozen yet: `next` shares objects with the host's workspace
  // and event, which stay as the host left them.
  return frozenCopy(evolveCheckedEvent(ws, event, 'event'), 'workspace');
}, ['workspace', 'event']);

/** Checks an event (named `label` in errors), then applies it; anything malformed is `invalid_input`. */
export function evolveCheckedEvent(ws: Workspace, event: WorkspaceEvent, label: string): Workspace {
  if (typeof event !== 'object' || event === null || !WORKSPACE_EVENT_TYPES.includes(event.type) || typeof event.version !== 'number') {
    throw new PipelineError('invalid_input', `${label}: expected a workspace event`, { path: label });
  }
  try {
    return evolveTrusted(ws, event);
  } catch (e) {
    throw malformed(e, event, label, `${event.type} event`);
  }
}

/** {@link evolveWorkspace} for events this library decided itself. */
export function evolveTrusted(ws: Workspace, event: WorkspaceEvent): Workspace {
  return immer.produce(ws, (draft) => {
    draft.version = event.version;
    applyEvent(draft, ws, event);
  });
}

/** Finds the layout and pipeline an event names on the base state, then takes only those drafts. */
function applyEvent(draft: Draft<Workspace>, base: Workspace, e: WorkspaceEvent): void {
  if (e.type === 'layoutAdded') {
    draft.layouts.push(structuredClone(e.layout) as Draft<Layout>);
    return;
  }
  const li = 'layoutId' in e ? base.layouts.findIndex((l) => l.id === e.layoutId) : -1;
  const layout = li >= 0 ? draft.layouts[li] : undefined;
  let pipeline: Draft<Pipeline> | undefined;
  if ('pipelineId' in e) {
    const pl = base.layouts.findIndex((l) => l.pipelines.some((p) => p.id === e.pipelineId));
    const pi = pl >= 0 ? base.layouts[pl]!.pipelines.findIndex((p) => p.id === e.pipelineId) : -1;
    pipeline = pi >= 0 ? draft.layouts[pl]!.pipelines[pi] : undefined;
  }
  switch (e.type) {
    case 'layoutRenamed':
      if (layout) layout.name = e.name;
      return;
    case 'stageAdded':
      layout?.stages.splice(e.index, 0, { ...e.stage });
      return;
    case 'stageUpdated':
      updateStage(layout, e.stageId, e.patch);
      return;
    case 'stagesReordered':
      if (layout) layout.stages = e.stageIds.flatMap((id) => layout.stages.filter((s) => s.id === id));
      return;
    case 'stageRemoved':
      removeStage(layout, e.stageId, e.replacementStageId);
      return;
    case 'pipelineCreated':
      createPipeline(draft, base, e.pipeline, e.makeDefault);
      return;
    case 'pipelineRenamed':
      if (pipeline) pipeline.name = e.name;
      return;
    case 'pipelineStagesSet':
      if (pipeline) {
        pipeline.stages = structuredClone(e.stages) as Draft<Pipeline>['stages'];
        pipeline.rules = structuredClone(e.rules);
      }
      return;
    case 'transitionRulesSet':
      if (pipeline) pipeline.rules = structuredClone(e.rules);
      return;
    case 'defaultPipelineSet':
      if (layout?.pipelines.some((p) => p.id === e.pipelineId)) layout.defaultPipelineId = e.pipelineId;
      return;
    case 'pipelineDeleted': {
      const owner = base.layouts.findIndex((l) => l.pipelines.some((p) => p.id === e.pipelineId));
      const l = owner >= 0 ? draft.layouts[owner]! : undefined;
      if (l && l.defaultPipelineId !== e.pipelineId) l.pipelines = l.pipelines.filter((p) => p.id !== e.pipelineId);
      return;
    }
  }
}

function updateStage(layout: Draft<Layout> | undefined, stageId: string, patch: Record<string, unknown>): void {
  const stage = layout?.stages.find((s) => s.id === stageId);
  if (!stage) return;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete (stage as Record<string, unknown>)[key];
    else if (value !== undefined) (stage as Record<string, unknown>)[key] = value;
  }
}

function removeStage(layout: Draft<Layout> | undefined, stageId: string, replacement: string | null): void {
  if (!layout) return;
  layout.stages = layout.stages.filter((s) => s.id !== stageId);
  for (const p of layout.pipelines) {
    if (!p.stages.some((s) => s.stageId === stageId)) continue;
    p.stages = replaceStage(p.stages, stageId, replacement) as Draft<Pipeline>['stages'];
    p.rules = renameInRules(p.rules, stageId, replacement);
  }
}

function createPipeline(draft: Draft<Workspace>, base: Workspace, pipeline: Pipeline, makeDefault: boolean): void {
  const li = base.layouts.findIndex((l) => l.id === pipeline.layoutId);
  const layout = li >= 0 ? draft.layouts[li] : undefined;
  if (!layout) return;
  layout.pipelines.push(structuredClone(pipeline) as Draft<Pipeline>);
  if (makeDefault || layout.defaultPipelineId === null) layout.defaultPipelineId = pipeline.id;
}
