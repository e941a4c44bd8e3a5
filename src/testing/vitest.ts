// The public surface of sales-pipelines/testing/vitest: the repository contract as a vitest
// suite. It imports vitest (ESM only); everything else of the test kit is in sales-pipelines/testing.
import { describe, expect, it } from 'vitest';
import { describeRepositoryContract as describeWithBoundVitest, type MakeRepositories } from './repositoryContract.js';
import { bindVitest } from './vitestApi.js';

export type { MakeRepositories } from './repositoryContract.js';

/**
 * Registers the repository contract as a vitest suite: one test per check of
 * `repositoryContractChecks` (get, getMany, list paging and filters, version conflicts,
 * all-or-nothing saves, copies rather than stored objects, events, outbox, visits, summaries).
 * Each test gets fresh, empty repositories from `makeRepositories`.
 *
 * @param name - the adapter's name, shown in the suite title
 * @param makeRepositories - makes empty repositories (may be async: create tables, truncate, …)
 * @example
 * ```ts
 * // test/myAdapter.test.ts
 * import { describeRepositoryContract } from 'sales-pipelines/testing/vitest';
 * describeRepositoryContract('postgres', async () => createPostgresRepositories(await freshDatabase()));
 * ```
 */
export function describeRepositoryContract(name: string, makeRepositories: MakeRepositories): void {
  // Bound when called rather than when imported: nothing happens at import time.
  bindVitest({ describe, expect, it });
  describeWithBoundVitest(name, makeRepositories);
}
