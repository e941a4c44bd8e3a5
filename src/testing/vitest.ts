// The public surface of sales-pipelines/testing/vitest: the repository contract as a vitest
// suite. It imports vitest (ESM only); everything else of the test kit is in sales-pipelines/testing.
import { describe, it } from 'vitest';
import { describeRepositoryContract as describeWithBoundVitest, type ContractHooks, type MakeRepositories, type MakeTenant } from './repositoryContract.js';
import { bindVitest } from './vitestApi.js';

/** @category Test kit */
export type { ContractHooks, MakeRepositories, MakeTenant } from './repositoryContract.js';

/**
 * Registers the repository contract as a vitest suite: one test per check of
 * `repositoryContractChecks`, and of `tenantIsolationChecks` when `makeTenant` is given. Each
 * test gets fresh, empty repositories from `makeRepositories`.
 *
 * @param name - the adapter's name, shown in the suite title
 * @param makeRepositories - makes empty repositories (may be async: create tables, truncate, …)
 * @param options - `makeTenant(tenantId)`: repositories of one tenant of a shared store, to also
 *   run the tenant-isolation checks (each call with a new id must give an empty tenant); `dump`:
 *   everything the store holds as text (every row of every table), which the erasure check
 *   searches for erased values
 * @example
 * ```ts
 * // test/myAdapter.test.ts
 * import { describeRepositoryContract } from 'sales-pipelines/testing/vitest';
 * describeRepositoryContract('postgres', async () => createPostgresRepositories(await freshDatabase()));
 * ```
 * @category Test kit
 */
export function describeRepositoryContract(name: string, makeRepositories: MakeRepositories, options: { makeTenant?: MakeTenant } & ContractHooks = {}): void {
  // Bound when called rather than when imported: nothing happens at import time.
  bindVitest({ describe, it });
  describeWithBoundVitest(name, makeRepositories, options);
}
