import { guarded } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import { WorkspaceCommand, type CommandContextInput, type WorkspaceCommandInput } from '../model/commands.js';
import type { Workspace } from '../model/layout.js';
import { parseContext, parseWith } from '../model/parse.js';
import { decideParsed } from './decide.js';
import { evolveCheckedEvent, evolveTrusted } from './evolve.js';
import type { WorkspaceEvent } from './events.js';
import { checkedWorkspace, frozenCopy, trustWorkspace } from './validate.js';

/**
 * A workspace with no layouts, version 0.
 *
 * @returns `{ version: 0, layouts: [] }`
 * @example
 * ```ts
 * emptyWorkspace(); // { version: 0, layouts: [] }
 * ```
 * @category Configuration
 */
export function emptyWorkspace(): Workspace {
  // Not frozen: a fresh object the caller owns (stores hand it out as a loaded workspace); it is
  // frozen when a reducer first validates it.
  return { version: 0, layouts: [] };
}

/**
 * Decides a command and applies its events: the workspace after the command and what happened.
 * A refused command throws a {@link PipelineError} and leaves `ws` as it was.
 *
 * @param ws - the current workspace
 * @param command - any workspace command
 * @param ctx - `{ at, by? }`
 * @returns the new workspace (version + 1 when anything changed) and the events
 * @example
 * ```ts
 * const { workspace } = applyWorkspace(ws, {
 *   type: 'createPipeline', layoutId: 'sales', pipelineId: 'new-cars', name: 'New cars',
 *   stages: ['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost'],
 * }, { at: Date.now(), by: 'admin' });
 * workspace.layouts[0].pipelines.map((p) => p.id); // ['sales:standard', 'new-cars']
 * ```
 * @category Configuration
 * @function
 */
export const applyWorkspace = /* @__PURE__ */ guarded(function applyWorkspace(
  ws: Workspace,
  command: WorkspaceCommandInput,
  ctx: CommandContextInput,
): { workspace: Workspace; events: WorkspaceEvent[] } {
  ws = checkedWorkspace(ws);
  const c = parseWith(WorkspaceCommand, command, 'command');
  const events = decideParsed(ws, c, parseContext(ctx));
  const workspace = events.reduce(evolveTrusted, ws);
  trustWorkspace(workspace);
  return { workspace, events };
}, ['workspace', 'command', 'ctx']);

/**
 * Rebuilds a workspace from its events, starting from {@link emptyWorkspace}.
 *
 * @param events - every event of the workspace, in order
 * @returns the workspace they produce
 * @example
 * ```ts
 * const { workspace, events } = applyWorkspace(emptyWorkspace(), addLayoutCommand, { at: 0 });
 * replayWorkspace(events); // deep-equals workspace
 * ```
 * @category Configuration
 * @function
 */
export const replayWorkspace = /* @__PURE__ */ guarded(function replayWorkspace(events: readonly WorkspaceEvent[]): Workspace {
  if (!Array.isArray(events)) throw new PipelineError('invalid_input', 'events: expected an array', { path: 'events' });
  let ws = emptyWorkspace();
  for (let i = 0; i < events.length; i++) ws = evolveCheckedEvent(ws, events[i]!, `events[${i}]`);
  // A copy: the workspace holds objects of the host's events, which stay unfrozen.
  return frozenCopy(ws, 'workspace');
}, ['events']);
