import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, PipelineError, type Repositories } from '../../src/index.js';
import { repositoryContractChecks, tenantIsolationChecks } from '../../src/testing.js';
import { describeRepositoryContract } from '../../src/testing/vitest.js';
import { memoryWithTails } from '../helpers/memoryWithTails.js';
import { dumpMemoryState, type MemoryRepositories } from '../../src/adapters/memory/createMemoryRepositories.js';

// The memory store holds one tenant; a map of stores is how a host keeps many.
const tenants = new Map<string, Repositories>();
describeRepositoryContract('memory', () => createMemoryRepositories(), {
  makeTenant: (id) => tenants.get(id) ?? tenants.set(id, createMemoryRepositories()).get(id)!,
  // The whole internal state, delivered outbox rows and erased deals' visits included.
  dump: async (repos) => dumpMemoryState(repos as MemoryRepositories),
});
// Handing out tails (as a host's store might), which runs the historyStart checks on the memory store's save.
describeRepositoryContract('memory, handing out tails', () => memoryWithTails().repos);

/** An adapter that ignores versions: it must fail the contract. */
function versionBlind(): Repositories {
  const inner = createMemoryRepositories();
  const store = new Map<string, unknown>();
  return {
    workspace: { load: () => inner.workspace.load(), save: async (ws) => inner.workspace.save(ws, (await inner.workspace.load()).version) },
    deals: {
      ...inner.deals,
      save: async (changes) => {
        for (const c of changes) store.set(c.deal.id, c.deal);
        const current = await inner.deals.getMany(changes.map((c) => c.deal.id));
        const versions = new Map(current.map((d) => [d.id, d.version]));
        await inner.deals.save(changes.map((c) => ({ deal: c.deal, expectedVersion: versions.get(c.deal.id) ?? null })));
      },
    },
  };
}

/** An adapter that keeps the caller's objects, unfrozen, and hands them out: it must fail the aliasing check. */
function aliasing(): Repositories {
  const inner = createMemoryRepositories();
  const stored = new Map<string, never>();
  return {
    workspace: inner.workspace,
    deals: {
      ...inner.deals,
      get: async (id) => stored.get(id) ?? null,
      save: async (changes) => {
        await inner.deals.save(changes.map((c) => ({ ...c, deal: structuredClone(c.deal) })));
        for (const c of changes) stored.set(c.deal.id, c.deal as never);
      },
    },
  };
}

/** An adapter that ignores the workspace version a decision read: it must fail that check. */
function workspaceBlind(): Repositories {
  const inner = createMemoryRepositories();
  return { ...inner, deals: { ...inner.deals, save: (changes, options) => inner.deals.save(changes, { ...options, workspaceVersion: undefined } as never) } };
}

describe('describeRepositoryContract', () => {
  async function failures(make: () => Repositories): Promise<string[]> {
    const failed: string[] = [];
    for (const check of repositoryContractChecks) {
      try {
        await check.run(make);
      } catch (e) {
        if (e instanceof PipelineError && e.code !== 'conflict') throw e;
        failed.push(check.name);
      }
    }
    return failed;
  }

  it('fails an adapter that ignores versions', async () => {
    const failed = await failures(versionBlind);
    expect(failed).toEqual(expect.arrayContaining([
      'workspace saves round-trip and refuse a stale expected version',
      'save refuses a deal that exists when expectedVersion is null, and a stale version, naming the ids',
      'save is all or nothing: a conflict on one deal writes none',
    ]));
  });

  it('fails an adapter that returns its stored objects', async () => {
    expect(await failures(aliasing)).toContain('a host cannot change stored state through an object it saved or got back (copies or frozen objects)');
  });

  it('fails an adapter that ignores the workspace version of a decision', async () => {
    // It also lets a malformed options.workspaceVersion through, which the save-input check catches.
    expect(await failures(workspaceBlind)).toEqual([
      'save refuses malformed input with invalid_input naming the path (expectedVersion 1.5, -1, NaN; a deal twice; not an array; malformed options) and writes nothing',
      'a deal save made on an older workspace version is refused with conflict and writes nothing',
    ]);
  });

  it('fails a store that gives every tenant the same data', async () => {
    const shared = createMemoryRepositories();
    const check = tenantIsolationChecks[0]!;
    await expect(check.run(() => shared)).rejects.toThrow();
  });

  it('says what went wrong in a sentence, not "expected false to be true"', async () => {
    const error = await repositoryContractChecks.find((c) => c.name.startsWith('a deal save made on an older'))!.run(workspaceBlind).then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/must fail with 'conflict', got success/);
  });

  it('passes the memory adapter', async () => {
    expect(await failures(() => createMemoryRepositories())).toEqual([]);
  });
});
