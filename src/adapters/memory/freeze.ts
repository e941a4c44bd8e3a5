import { PipelineError } from '../../errors.js';

const OBJECT_PROTOTYPE = Object.prototype;

/**
 * Deep-freezes plain JSON data in place and returns it, refusing anything else (functions,
 * class instances, Dates, BigInt, non-finite numbers) with `invalid_input` naming the path.
 * Frozen subtrees are taken as already checked, so freezing a deal that shares its history
 * with the previous version costs only the new objects.
 */
export function freezeJson<T>(value: T, path: string): T {
  visit(value, path);
  return value;
}

function visit(value: unknown, path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) bad(path, 'expected a finite number');
      return;
    case 'object':
      break;
    default:
      return bad(path, `expected JSON data, got ${typeof value}`);
  }
  if (value === null || Object.isFrozen(value)) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`);
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== OBJECT_PROTOTYPE && proto !== null) bad(path, 'expected a plain object');
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) visit(v, `${path}.${key}`);
    }
  }
  Object.freeze(value);
}

function bad(path: string, what: string): never {
  throw new PipelineError('invalid_input', `${path}: ${what}`, { path });
}
