import { PipelineError } from '../errors.js';
import { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { workspaceViolations } from './invariants.js';

const trusted = new WeakSet<object>();

/**
 * Refuses a workspace that is not well-formed or breaks invariants 1-2, with `invalid_input`.
 * The result is memoised on the object's identity: a workspace is checked once.
 */
export function assertWorkspace(ws: unknown): asserts ws is Workspace {
  if (typeof ws === 'object' && ws !== null && trusted.has(ws)) return;
  parseWith(Workspace, ws, 'workspace');
  const violations = workspaceViolations(ws as Workspace);
  const first = violations[0];
  if (first) {
    throw new PipelineError('invalid_input', `workspace: ${first.message}`, { path: 'workspace', violations });
  }
  trusted.add(ws as object);
}

/** Marks a workspace produced by an accepted command as checked. */
export function trustWorkspace(ws: Workspace): void {
  trusted.add(ws);
}
