import { PipelineError } from '../errors.js';
import { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { workspaceViolations } from './invariants.js';
import { isSealedWorkspace, markSealed } from './lookup.js';

/**
 * Refuses a workspace that is not well-formed or breaks invariants 1-2, with `invalid_input`.
 * A workspace that passes is deep-frozen and remembered by identity: it is checked once, and
 * since it can no longer be edited in place, what was checked (and the index built from it)
 * stays true.
 */
export function assertWorkspace(ws: unknown): asserts ws is Workspace {
  if (isSealedWorkspace(ws)) return;
  parseWith(Workspace, ws, 'workspace');
  const violations = workspaceViolations(ws as Workspace);
  const first = violations[0];
  if (first) {
    throw new PipelineError('invalid_input', `workspace: ${first.message}`, { path: 'workspace', violations });
  }
  sealWorkspace(ws as Workspace);
}

/** Deep-freezes a workspace produced by an accepted command and remembers it as checked. */
export function trustWorkspace(ws: Workspace): void {
  sealWorkspace(ws);
}

const frozen = new WeakSet<object>();

/**
 * Deep-freezes plain data, refusing accessor properties (a getter could answer differently
 * after the check). Subtrees frozen before are skipped: a workspace after a command shares
 * everything that did not change.
 */
export function deepFreezeState(value: unknown, label: string): void {
  const todo: [unknown, string][] = [[value, label]];
  const seen = new Set<object>();
  while (todo.length > 0) {
    const [v, path] = todo.pop()!;
    if (typeof v !== 'object' || v === null || frozen.has(v) || seen.has(v)) continue;
    seen.add(v);
    const descriptors = Object.getOwnPropertyDescriptors(v);
    for (const key of Object.keys(descriptors)) {
      const d = descriptors[key]!;
      const at = Array.isArray(v) ? `${path}[${key}]` : `${path}.${key}`;
      if (!('value' in d)) throw new PipelineError('invalid_input', `${at}: expected plain data, not an accessor`, { path: at });
      todo.push([d.value, at]);
    }
  }
  for (const v of seen) {
    Object.freeze(v);
    frozen.add(v);
  }
}

function sealWorkspace(ws: Workspace): void {
  deepFreezeState(ws, 'workspace');
  markSealed(ws);
}
