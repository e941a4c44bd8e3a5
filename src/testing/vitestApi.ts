// The vitest functions the contract suite registers tests with, without importing vitest: the
// `sales-pipelines/testing` entry must load where vitest is not installed (and from CommonJS,
// which vitest refuses). `sales-pipelines/testing/vitest` imports vitest and binds it here.
import type { describe as VitestDescribe, it as VitestIt } from 'vitest';

/** What `sales-pipelines/testing/vitest` hands over. */
export interface VitestApi {
  readonly describe: typeof VitestDescribe;
  readonly it: typeof VitestIt;
}

let bound: VitestApi | undefined;

/** Makes the contract suite register its tests with this vitest. */
export function bindVitest(api: VitestApi): void {
  bound = api;
}

function runner(): VitestApi {
  if (bound) return bound;
  throw new Error("describeRepositoryContract registers vitest tests: import it from 'sales-pipelines/testing/vitest'");
}

// A call or a property read (`it.each`, `describe.skip`) is forwarded to the bound function.
function forward<F extends object>(target: () => F): F {
  return new Proxy((() => undefined) as unknown as F, {
    apply: (_t, thisArg, args) => Reflect.apply(target() as (...a: unknown[]) => unknown, thisArg, args),
    get: (_t, prop) => Reflect.get(target(), prop),
  });
}

export const describe: typeof VitestDescribe = forward(() => runner().describe);
export const it: typeof VitestIt = forward(() => runner().it);
