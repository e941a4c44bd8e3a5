import { PipelineError } from '../../errors.js';

const OBJECT_PROTOTYPE = Object.prototype;

/**
 * Deep-freezes plain JSON data in place and returns it, refusing anything else (functions,
 * class instances, Dates, BigInt, non-finite numbers) with `invalid_input` naming the path.
 * Frozen subtrees are taken as already checked, so freezing a deal that shares its history
 * with the previous version costs only the new objects.
 */
export function freezeJson<T>(value: T, path: string): T {
  if (typeof value === 'object') {
    if (value !== null && !Object.isFrozen(value)) visitObject(value, path);
  } else {
    checkLeaf(value, path);
  }
  return value;
}

/** A string, boolean or finite number passes; anything else is refused. */
function checkLeaf(value: unknown, path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) bad(path, 'expected a finite number');
      return;
    default:
      bad(path, `expected JSON data, got ${typeof value}`);
  }
}

/**
 * Checks and freezes an object that is not frozen yet. Leaves are checked in place and frozen
 * children skipped before a child's path is spelled out: a saved deal is mostly strings, numbers
 * and history rows frozen with its previous version.
 */
function visitObject(value: object, path: string): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string' || typeof v === 'boolean' || v === null) continue;
      if (typeof v === 'object') {
        if (!Object.isFrozen(v)) visitObject(v, `${path}[${i}]`);
      } else if (typeof v !== 'number' || !Number.isFinite(v)) {
        checkLeaf(v, `${path}[${i}]`);
      }
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== OBJECT_PROTOTYPE && proto !== null) bad(path, 'expected a plain object');
    const keys = Object.keys(value);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || v === null || typeof v === 'string' || typeof v === 'boolean') continue;
      if (typeof v === 'object') {
        if (!Object.isFrozen(v)) visitObject(v, `${path}.${key}`);
      } else if (typeof v !== 'number' || !Number.isFinite(v)) {
        checkLeaf(v, `${path}.${key}`);
      }
    }
  }
  Object.freeze(value);
}

function bad(path: string, what: string): never {
  throw new PipelineError('invalid_input', `${path}: ${what}`, { path });
}
