import type { Layout } from '../model/layout.js';
import type { Pipeline, PipelineStage, TransitionRules } from '../model/pipeline.js';
import type { StageDef, StagePatch } from '../model/stage.js';

/** Fields every workspace event carries: its id, when, by whom, and the workspace version it produces. */
export interface WorkspaceEventMeta {
  /** Stable id, unique in the workspace: `workspace/<version>/<index in the command>`. Consumers de-duplicate by it. */
  readonly id: string;
  readonly at: number;
  readonly by: string | null;
  readonly version: number;
}

/**
 * An event of the workspace aggregate. Events are facts: `evolveWorkspace` applies them without checks.
 *
 * @example
 * ```ts
 * const { events } = applyWorkspace(ws, command, { at: Date.now() });
 * events.forEach((e: WorkspaceEvent) => log(e.type, e.version));
 * ```
 * @category Configuration
 */
export type WorkspaceEvent = WorkspaceEventMeta &
  (
    | { readonly type: 'layoutAdded'; readonly layout: Layout }
    | { readonly type: 'layoutRenamed'; readonly layoutId: string; readonly name: string }
    | { readonly type: 'stageAdded'; readonly layoutId: string; readonly stage: StageDef; readonly index: number }
    | { readonly type: 'stageUpdated'; readonly layoutId: string; readonly stageId: string; readonly patch: StagePatch }
    | { readonly type: 'stagesReordered'; readonly layoutId: string; readonly stageIds: readonly string[] }
    | {
        readonly type: 'stageRemoved';
        readonly layoutId: string;
        readonly stageId: string;
        readonly replacementStageId: string | null;
      }
    | { readonly type: 'pipelineCreated'; readonly pipeline: Pipeline; readonly makeDefault: boolean }
    | { readonly type: 'pipelineRenamed'; readonly pipelineId: string; readonly name: string }
    | {
        readonly type: 'pipelineStagesSet';
        readonly pipelineId: string;
        readonly stages: readonly PipelineStage[];
        readonly rules: TransitionRules;
      }
    | { readonly type: 'transitionRulesSet'; readonly pipelineId: string; readonly rules: TransitionRules }
    | { readonly type: 'defaultPipelineSet'; readonly layoutId: string; readonly pipelineId: string }
    | {
        readonly type: 'pipelineDeleted';
        readonly pipelineId: string;
        readonly transferTo: { readonly pipelineId: string; readonly stageMap: Readonly<Record<string, string>> } | null;
      }
  );

/**
 * The `type` of a workspace event.
 *
 * @example
 * ```ts
 * const kinds: WorkspaceEventType[] = ['pipelineCreated', 'pipelineDeleted'];
 * ```
 * @category Configuration
 */
export type WorkspaceEventType = WorkspaceEvent['type'];

/** Every workspace event type. */
export const WORKSPACE_EVENT_TYPES: readonly WorkspaceEventType[] = [
  'layoutAdded',
  'layoutRenamed',
  'stageAdded',
  'stageUpdated',
  'stagesReordered',
  'stageRemoved',
  'pipelineCreated',
  'pipelineRenamed',
  'pipelineStagesSet',
  'transitionRulesSet',
  'defaultPipelineSet',
  'pipelineDeleted',
];
