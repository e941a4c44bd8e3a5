// A small `expect` for the repository contract checks when vitest is not there: hosts run
// `repositoryContractChecks` from any test runner (node:test, mocha, a script). Under vitest the
// suite binds vitest's own `expect` instead (see vitestApi.ts). Matchers are the common ones of
// vitest's, with the same meaning; a failure throws an Error whose message names both values.

type Matchers = {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  toContain(item: unknown): void;
  toHaveLength(n: number): void;
  toThrow(expected?: string | RegExp): void;
};

/** The matchers of {@link expect}, with `not` for their negations. */
export type Assertion = Matchers & { readonly not: Matchers };

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (v === undefined ? '(undefined)' : v));
    if (text === undefined) return String(value);
    return text.length > 400 ? `${text.slice(0, 400)}…` : text;
  } catch {
    return String(value);
  }
}

/** vitest's `toEqual`: recursive, ignores properties whose value is undefined. `strict` counts them. */
export function deepEqual(a: unknown, b: unknown, strict = false): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i], strict));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = (r: Record<string, unknown>) => Object.keys(r).filter((k) => strict || r[k] !== undefined);
  const ka = keys(ra);
  const kb = keys(rb);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k], strict));
}

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return deepEqual(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesObject(actual[i], e));
  }
  return Object.entries(expected).every(([k, v]) => matchesObject((actual as Record<string, unknown>)[k], v));
}

function thrown(fn: unknown): { threw: boolean; error: unknown } {
  if (typeof fn !== 'function') throw new TypeError('toThrow expects a function');
  try {
    fn();
    return { threw: false, error: undefined };
  } catch (error) {
    return { threw: true, error };
  }
}

function checks(actual: unknown): Record<keyof Matchers, (arg?: unknown) => [boolean, string]> {
  const n = (x: unknown): number => (typeof x === 'number' || typeof x === 'bigint' ? Number(x) : NaN);
  return {
    toBe: (e) => [Object.is(actual, e), `to be ${show(e)}`],
    toEqual: (e) => [deepEqual(actual, e), `to equal ${show(e)}`],
    toStrictEqual: (e) => [deepEqual(actual, e, true), `to strictly equal ${show(e)}`],
    toMatchObject: (e) => [matchesObject(actual, e), `to match ${show(e)}`],
    toBeNull: () => [actual === null, 'to be null'],
    toBeUndefined: () => [actual === undefined, 'to be undefined'],
    toBeDefined: () => [actual !== undefined, 'to be defined'],
    toBeTruthy: () => [Boolean(actual), 'to be truthy'],
    toBeFalsy: () => [!actual, 'to be falsy'],
    toBeGreaterThan: (e) => [n(actual) > n(e), `to be greater than ${show(e)}`],
    toBeGreaterThanOrEqual: (e) => [n(actual) >= n(e), `to be at least ${show(e)}`],
    toBeLessThan: (e) => [n(actual) < n(e), `to be less than ${show(e)}`],
    toBeLessThanOrEqual: (e) => [n(actual) <= n(e), `to be at most ${show(e)}`],
    toContain: (e) => [
      typeof actual === 'string' ? typeof e === 'string' && actual.includes(e) : Array.isArray(actual) && actual.some((x) => Object.is(x, e)),
      `to contain ${show(e)}`,
    ],
    toHaveLength: (e) => [
      typeof actual === 'string' || Array.isArray(actual) ? actual.length === e : false,
      `to have length ${show(e)}`,
    ],
    toThrow: (e) => {
      const { threw, error } = thrown(actual);
      const message = error instanceof Error ? error.message : String(error);
      const ok = threw && (e === undefined || (e instanceof RegExp ? e.test(message) : message.includes(String(e))));
      return [ok, e === undefined ? 'to throw' : `to throw ${show(e instanceof RegExp ? String(e) : e)}`];
    },
  };
}

/**
 * Asserts about `actual`; a failed assertion throws an Error naming both values, prefixed with
 * `message` when given.
 *
 * @example
 * ```ts
 * expect(await repos.deals.get('missing'), 'get of an unknown id').toBeNull();
 * ```
 */
export function expect(actual: unknown, message?: string): Assertion {
  const table = checks(actual);
  const build = (negated: boolean): Matchers => {
    const out = {} as Record<string, (arg?: unknown) => void>;
    for (const [name, check] of Object.entries(table)) {
      out[name] = (arg?: unknown) => {
        const [ok, what] = check(arg);
        if (ok === negated) {
          const subject = name === 'toThrow' ? 'the function' : show(actual);
          throw new Error(`${message ? `${message}: ` : ''}expected ${subject} ${negated ? 'not ' : ''}${what}`);
        }
      };
    }
    return out as unknown as Matchers;
  };
  return Object.assign(build(false), { not: build(true) });
}
