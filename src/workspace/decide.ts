import { guarded } from '../_internal/guard.js';
import { parseContext, parseWith } from '../model/parse.js';
import { WorkspaceCommand, type CommandContextInput, type Context, type WorkspaceCommandInput } from '../model/commands.js';
import type { Workspace } from '../model/layout.js';
import type { WorkspaceEvent } from './events.js';
import {
  decideAddLayout,
  decideAddStage,
  decideRemoveStage,
  decideRenameLayout,
  decideReorderStages,
  decideUpdateStage,
} from './decideLayout.js';
import {
  decideCreatePipeline,
  decideDeletePipeline,
  decideRenamePipeline,
  decideSetDefaultPipeline,
  decideSetPipelineStages,
  decideSetTransitionRules,
} from './decidePipeline.js';
import { checkedWorkspace } from './validate.js';

/**
 * Decides a workspace command: checks the business rules and returns the events it produces,
 * or throws a {@link PipelineError}. Pure: time and actor come from `ctx`. A command that would
 * change nothing (renaming to the same name, say) returns no events.
 *
 * @param ws - the current workspace
 * @param command - any workspace command (validated here)
 * @param ctx - `{ at, by? }`; `at` is a Date, epoch ms or ISO string
 * @returns the events to apply with {@link evolveWorkspace}
 * @example
 * ```ts
 * const events = decideWorkspace(emptyWorkspace(), {
 *   type: 'addLayout', layoutId: 'sales', name: 'Sales',
 *   stages: [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }],
 * }, { at: '2026-01-05T09:00:00Z' });
 * events[0].type; // 'layoutAdded'
 * ```
 * @category Configuration
 * @function
 */
export const decideWorkspace = /* @__PURE__ */ guarded(function decideWorkspace(ws: Workspace, command: WorkspaceCommandInput, ctx: CommandContextInput): WorkspaceEvent[] {
  ws = checkedWorkspace(ws);
  const c = parseWith(WorkspaceCommand, command, 'command');
  return decideParsed(ws, c, parseContext(ctx));
}, ['workspace', 'command', 'ctx']);

export function decideParsed(ws: Workspace, c: WorkspaceCommand, ctx: Context): WorkspaceEvent[] {
  switch (c.type) {
    case 'addLayout':
      return decideAddLayout(ws, c, ctx);
    case 'renameLayout':
      return decideRenameLayout(ws, c, ctx);
    case 'addStage':
      return decideAddStage(ws, c, ctx);
    case 'updateStage':
      return decideUpdateStage(ws, c, ctx);
    case 'reorderStages':
      return decideReorderStages(ws, c, ctx);
    case 'removeStage':
      return decideRemoveStage(ws, c, ctx);
    case 'createPipeline':
      return decideCreatePipeline(ws, c, ctx);
    case 'renamePipeline':
      return decideRenamePipeline(ws, c, ctx);
    case 'setPipelineStages':
      return decideSetPipelineStages(ws, c, ctx);
    case 'setTransitionRules':
      return decideSetTransitionRules(ws, c, ctx);
    case 'setDefaultPipeline':
      return decideSetDefaultPipeline(ws, c, ctx);
    case 'deletePipeline':
      return decideDeletePipeline(ws, c, ctx);
  }
}
