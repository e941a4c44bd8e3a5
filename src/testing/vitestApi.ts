// The vitest functions the contract checks and suite use, without importing vitest: the
// `sales-pipelines/testing` entry must load where vitest is not installed (and from CommonJS,
// which vitest refuses). `sales-pipelines/testing/vitest` imports vitest and binds it here; until
// then `expect` is the small one in assertions.ts and `describe`/`it` explain where to import from.
import type { describe as VitestDescribe, expect as VitestExpect, it as VitestIt } from 'vitest';
import { expect as plainExpect } from './assertions.js';

/** What `sales-pipelines/testing/vitest` hands over. */
export interface VitestApi {
  readonly describe: typeof VitestDescribe;
  readonly it: typeof VitestIt;
  readonly expect: typeof VitestExpect;
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

// A call or a property read (`it.each`, `expect.soft`) is forwarded to the bound function.
function forward<F extends object>(target: () => F): F {
  return new Proxy((() => undefined) as unknown as F, {
    apply: (_t, thisArg, args) => Reflect.apply(target() as (...a: unknown[]) => unknown, thisArg, args),
    get: (_t, prop) => Reflect.get(target(), prop),
  });
}

export const describe: typeof VitestDescribe = forward(() => runner().describe);
export const it: typeof VitestIt = forward(() => runner().it);
export const expect: typeof VitestExpect = forward(() => bound?.expect ?? (plainExpect as unknown as typeof VitestExpect));
