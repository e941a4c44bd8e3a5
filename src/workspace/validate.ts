import { PipelineError } from '../errors.js';
import { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { workspaceViolations } from './invariants.js';
import { isSealedWorkspace, markSealed } from './lookup.js';

/**
 * Refuses a workspace that is not well-formed or breaks invariants 1-2, with `invalid_input`, and
 * returns it sealed: validated, deep-frozen and remembered by identity, so that it is checked
 * once and, since it can no longer be edited in place, what was checked (and the index built from
 * it) stays true. A host's own objects are never frozen: a workspace that is not deep-frozen
 * already is sealed as a copy (the one the schema parse makes), and the host keeps its object as
 * it was. One the library returned, or a store froze, is sealed as it is (nothing changes for its
 * holder), so it keeps its identity and is not checked again.
 */
export function checkedWorkspace(ws: unknown): Workspace {
  if (isSealedWorkspace(ws)) return ws as Workspace;
  const known = typeof ws === 'object' && ws !== null ? copies.get(ws) : undefined;
  if (known !== undefined && holdsSame(ws, known)) return known;
  const parsed = parseWith(Workspace, ws, 'workspace');
  const violations = workspaceViolations(parsed);
  const first = violations[0];
  if (first) {
    throw new PipelineError('invalid_input', `workspace: ${first.message}`, { path: 'workspace', violations });
  }
  const sealed = isDeepFrozen(ws) ? (ws as Workspace) : parsed;
  sealWorkspace(sealed);
  if (sealed !== ws) copies.set(ws as object, sealed);
  return sealed;
}

/**
 * The sealed copy made last of each host workspace object. A host that passes its own object at
 * every call gets the copy back after one walk that finds the object unchanged (no parse, no
 * invariant check, no copy); an edit anywhere in it makes the walk fail and the object is checked
 * and copied again.
 */
const copies = new WeakMap<object, Workspace>();

/** Whether the host's `value` holds exactly the data of the sealed `copy` now; false when it cannot be read. */
function holdsSame(value: unknown, copy: unknown): boolean {
  // Two stacks rather than pairs: this runs at every call that passes a host's own object.
  const left: unknown[] = [value];
  const right: unknown[] = [copy];
  try {
    while (left.length > 0) {
      const a = left.pop();
      const b = right.pop();
      if (a === b) continue;
      if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
      const keys = Object.keys(a);
      if (keys.length !== Object.keys(b).length) return false;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (!Object.hasOwn(b, key)) return false;
        // A getter is read like a value: the copy holds what it answers now, so the copy is right for this call.
        left.push((a as Record<string, unknown>)[key]);
        right.push((b as Record<string, unknown>)[key]);
      }
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether every object inside `value` is frozen already: sealing it then changes nothing its holder could see. */
function isDeepFrozen(value: unknown): boolean {
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (typeof v !== 'object' || v === null || frozen.has(v)) continue;
    if (!Object.isFrozen(v)) return false;
    for (const key of Object.keys(v)) todo.push((v as Record<string, unknown>)[key]);
  }
  return true;
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

/**
 * A deep-frozen copy of plain data that shares every part this library froze before and copies
 * the rest, so that nothing a host handed in (a workspace of its own, the objects inside its
 * events) is frozen. Accessor properties are refused as {@link deepFreezeState} refuses them.
 */
export function frozenCopy<T>(value: T, label: string): T {
  if (typeof value !== 'object' || value === null || frozen.has(value)) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  for (const key of Object.keys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    const at = Array.isArray(value) ? `${label}[${key}]` : `${label}.${key}`;
    if (!('value' in d)) throw new PipelineError('invalid_input', `${at}: expected plain data, not an accessor`, { path: at });
    // defineProperty: a key such as __proto__ stays a plain data property of the copy.
    Object.defineProperty(copy, key, { value: frozenCopy(d.value, at), enumerable: true, writable: true, configurable: true });
  }
  Object.freeze(copy);
  frozen.add(copy);
  return copy as T;
}

function sealWorkspace(ws: Workspace): void {
  deepFreezeState(ws, 'workspace');
  markSealed(ws);
}
