// Assertions for the contract checks, without a test runner: a check throws an Error that says
// what the adapter did wrong, in a sentence.

/** Throws `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`repository contract: ${message}`);
}

/** Throws unless `actual` deep-equals `expected` (JSON data: plain objects, arrays, primitives). */
export function ensureEqual(actual: unknown, expected: unknown, what: string): void {
  const path = difference(actual, expected, '');
  if (path !== null) {
    throw new Error(`repository contract: ${what} differs at ${path || 'the top'}:\n  got      ${show(at(actual, path))}\n  expected ${show(at(expected, path))}`);
  }
}

/** The first path where two JSON values differ, or null when they are equal. */
export function difference(a: unknown, b: unknown, path: string): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path;
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}.length`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra).filter((k) => ra[k] !== undefined), ...Object.keys(rb).filter((k) => rb[k] !== undefined)]);
  for (const k of keys) {
    const d = difference(ra[k], rb[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.match(/\.[^.[]+|\[\d+\]/g) ?? []) {
    if (typeof v !== 'object' || v === null) return v;
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part.slice(1);
    v = key === 'length' && Array.isArray(v) ? v.length : (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Awaits `promise` and returns what it threw (null when it resolved). */
export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => null, (e: unknown) => e ?? new Error('rejected with nothing'));
}
