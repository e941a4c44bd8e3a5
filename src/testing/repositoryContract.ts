import { describe, it } from './vitestApi.js';
import { basicChecks } from './contract/basicChecks.js';
import type { ContractCheck, ContractHooks, MakeRepositories } from './contract/fixtures.js';
import { storageChecks } from './contract/storageChecks.js';
import { guardChecks } from './contract/guardChecks.js';
import { outboxChecks } from './contract/outboxChecks.js';
import { listChecks } from './contract/listChecks.js';
import { eraseChecks } from './contract/eraseChecks.js';
import { saveInputChecks } from './contract/saveInputChecks.js';
import { tailChecks } from './contract/tailChecks.js';
import { transactChecks } from './contract/transactChecks.js';
import { tenantChecks, type MakeTenant, type TenantCheck } from './contract/tenantChecks.js';

export type { ContractCheck, ContractHooks, MakeRepositories, MakeTenant, TenantCheck };

/**
 * Every check of the contract, runnable on their own (the suite wraps each in `it`). Checks of
 * the optional ports (`outbox`, `visits`, `deals.summarize`, `deals.transact`, `deals.getTails`/`listTails`) pass at once when a store lacks them.
 *
 * @example
 * ```ts
 * repositoryContractChecks.map((c) => c.name); // the sentences describeRepositoryContract runs
 * ```
 * @category Test kit
 */
export const repositoryContractChecks: readonly ContractCheck[] = [...basicChecks, ...saveInputChecks, ...listChecks, ...storageChecks, ...guardChecks, ...outboxChecks, ...eraseChecks, ...tailChecks, ...transactChecks];

/**
 * The checks that two tenants of one store never see each other's data, for adapters that hold
 * many tenants in one database. Each check calls `makeTenant` with fresh tenant ids.
 *
 * @example
 * ```ts
 * for (const check of tenantIsolationChecks) await check.run((tenantId) => createSqliteRepositories(db, { tenantId }));
 * ```
 * @category Test kit
 */
export const tenantIsolationChecks: readonly TenantCheck[] = tenantChecks;

/**
 * The repository contract as a vitest suite. A host runs it against its own adapter; each check
 * gets fresh, empty repositories from `makeRepositories`.
 *
 * @param name - the adapter's name, shown in the suite title
 * @param makeRepositories - makes empty repositories (may be async: create tables, truncate, …)
 * @param options - `makeTenant(tenantId)`: repositories of one tenant of a shared store, to also
 *   run the tenant-isolation checks (each call with a new id must give an empty tenant); `dump`:
 *   everything the store holds as text, searched by the erasure check (see {@link ContractHooks})
 * @example
 * ```ts
 * // test/myAdapter.test.ts
 * import { describeRepositoryContract } from 'sales-pipelines/testing';
 * describeRepositoryContract('postgres', async () => createPostgresRepositories(await freshDatabase()));
 * ```
 */
export function describeRepositoryContract(name: string, makeRepositories: MakeRepositories, options: { makeTenant?: MakeTenant } & ContractHooks = {}): void {
  describe(`repository contract: ${name}`, () => {
    for (const check of repositoryContractChecks) {
      it(check.name, () => check.run(makeRepositories, options.dump ? { dump: options.dump } : {}));
    }
    const makeTenant = options.makeTenant;
    if (makeTenant) for (const check of tenantIsolationChecks) it(check.name, () => check.run(makeTenant));
  });
}
