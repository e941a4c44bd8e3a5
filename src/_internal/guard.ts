import { isPipelineError, PipelineError } from '../errors.js';

// One boundary for the public functions: whatever a host passes (throwing getters, revoked
// Proxies, BigInts, objects posing as Dates, cyclic objects), an exception from reading it
// reaches the host as `invalid_input` naming the path, never as a TypeError.

/** How many values {@link findUnreadable} looks at before it gives up naming a path. */
const PROBE_BUDGET = 200_000;

/**
 * Wraps a public function so that any exception other than a {@link PipelineError} becomes
 * `invalid_input`, naming the argument path that could not be read when one can be found.
 *
 * @param fn - the function
 * @param labels - the name of each argument as used in error paths (`workspace`, `deal`, `opts`, …)
 * @returns a function with the same signature
 */
export function guarded<F extends (...args: never[]) => unknown>(fn: F, labels: readonly string[]): F {
  const wrapped = function (this: unknown): unknown {
    try {
      // `arguments` rather than a rest parameter: this wraps the hot paths.
      // eslint-disable-next-line prefer-rest-params
      return fn.apply(this, arguments as never);
    } catch (e) {
      // eslint-disable-next-line prefer-rest-params
      throw toBoundaryError(e, fn.name, labels, arguments);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped as unknown as F;
}

/** The error a public function throws for `e`: `e` itself when it is a PipelineError. */
export function toBoundaryError(e: unknown, name: string, labels: readonly string[], args: ArrayLike<unknown>): PipelineError {
  if (isPipelineError(e)) return e;
  let found: Unreadable | null = null;
  try {
    for (let i = 0; i < labels.length && !found; i++) found = findUnreadable(args[i], labels[i]!);
  } catch {
    found = null;
  }
  const cause = { cause: e };
  if (found) return new PipelineError('invalid_input', `${found.path}: ${found.problem}`, { path: found.path }, cause);
  return new PipelineError('invalid_input', `${name || 'function'}: its arguments could not be read`, {}, cause);
}

/**
 * The error for an exception thrown while applying `value` (an event, say): the unreadable path
 * inside it when there is one, else `label` itself with the exception's message.
 */
export function malformed(e: unknown, value: unknown, label: string, what: string): PipelineError {
  if (isPipelineError(e)) return e;
  const found = findUnreadable(value, label);
  if (found) return new PipelineError('invalid_input', `${found.path}: ${found.problem}`, { path: found.path }, { cause: e });
  const reason = e instanceof Error ? e.message : 'could not be applied';
  return new PipelineError('invalid_input', `${label}: malformed ${what} (${reason})`, { path: label }, { cause: e });
}

/** A place in an argument that cannot be read as plain data, and why. */
export interface Unreadable {
  readonly path: string;
  readonly problem: string;
}

interface Frame {
  readonly value: unknown;
  readonly path: string;
  readonly exit?: true;
}

const childPath = (path: string, key: string, isArray: boolean): string =>
  isArray && /^\d+$/.test(key) ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/**
 * Walks `value` (without recursion, so depth cannot overflow the stack) and returns the first
 * place that is not plain data: a property whose read throws, a revoked Proxy, a BigInt, an
 * object posing as a Date, or a cycle. Null when every part could be read.
 */
export function findUnreadable(value: unknown, label: string): Unreadable | null {
  const stack: Frame[] = [{ value, path: label }];
  const onPath = new Set<object>();
  const done = new Set<object>();
  let budget = PROBE_BUDGET;
  while (stack.length > 0 && budget-- > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (frame.exit) {
      onPath.delete(v as object);
      done.add(v as object);
      continue;
    }
    if (typeof v === 'bigint') return { path: frame.path, problem: 'a BigInt is not a number; pass a number' };
    if (typeof v !== 'object' || v === null) continue;
    if (onPath.has(v)) return { path: frame.path, problem: 'a cyclic reference; expected plain data' };
    if (done.has(v)) continue;
    let keys: (string | symbol)[];
    let proto: unknown;
    try {
      proto = Object.getPrototypeOf(v);
      keys = Reflect.ownKeys(v);
    } catch {
      return { path: frame.path, problem: 'could not be read (a revoked Proxy?)' };
    }
    if (v instanceof Date || isDatePrototype(proto)) {
      try {
        Date.prototype.getTime.call(v);
      } catch {
        return { path: frame.path, problem: 'an object posing as a Date; pass a Date, epoch milliseconds or an ISO-8601 string' };
      }
    }
    onPath.add(v);
    stack.push({ value: v, path: frame.path, exit: true });
    const isArray = Array.isArray(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (typeof key === 'symbol') continue;
      let child: unknown;
      try {
        child = (v as Record<string, unknown>)[key];
      } catch {
        return { path: childPath(frame.path, key, isArray), problem: 'reading it threw; expected plain data' };
      }
      stack.push({ value: child, path: childPath(frame.path, key, isArray) });
    }
  }
  return null;
}

function isDatePrototype(proto: unknown): boolean {
  for (let p = proto; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) if (p === Date.prototype) return true;
  return false;
}
