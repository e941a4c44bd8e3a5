// This file imports only sales-pipelines/testing, never its vitest entry: the checks run with the
// test kit's own assertions, as they do for a host without vitest.
import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, type Repositories } from '../../src/index.js';
import { repositoryContractChecks } from '../../src/testing.js';
import { expect as plainExpect } from '../../src/testing/assertions.js';

async function failures(make: () => Repositories): Promise<Record<string, string>> {
  const failed: Record<string, string> = {};
  for (const check of repositoryContractChecks) {
    try {
      await check.run(make);
    } catch (e) {
      failed[check.name] = (e as Error).message;
    }
  }
  return failed;
}

/** A store that hands out the objects it keeps. */
function aliasing(): Repositories {
  const inner = createMemoryRepositories();
  const stored = new Map<string, never>();
  return {
    workspace: inner.workspace,
    deals: {
      ...inner.deals,
      get: async (id) => stored.get(id) ?? null,
      save: async (changes, options) => {
        await inner.deals.save(changes, options);
        for (const c of changes) stored.set(c.deal.id, c.deal as never);
      },
    },
  };
}

describe('repositoryContractChecks without vitest', () => {
  it('passes the memory store', async () => {
    expect(await failures(() => createMemoryRepositories())).toEqual({});
  });

  it('fails a store that returns its stored objects, with a message naming the values', async () => {
    const failed = await failures(aliasing);
    expect(Object.keys(failed)).toContain('returned objects are copies, never aliases of stored state');
    expect(Object.values(failed).every((m) => m.includes('expected'))).toBe(true);
  });

  it('says where describeRepositoryContract lives when the suite is asked for without vitest bound', async () => {
    const { describeRepositoryContract } = await import('../../src/testing/repositoryContract.js');
    expect(() => describeRepositoryContract('x', () => createMemoryRepositories())).toThrow("import it from 'sales-pipelines/testing/vitest'");
  });
});

describe('the test kit’s expect', () => {
  it('passes what holds and throws what does not, naming both values', () => {
    plainExpect({ a: 1, b: undefined, c: [1, { d: 2 }] }).toEqual({ a: 1, c: [1, { d: 2 }] });
    plainExpect([3, 1]).toContain(1);
    plainExpect(2).toBeLessThanOrEqual(2);
    plainExpect(null).toBeNull();
    plainExpect({ a: 1, b: 2 }).toMatchObject({ a: 1 });
    plainExpect('abc').toHaveLength(3);
    plainExpect(() => {
      throw new Error('boom');
    }).toThrow(/bo/);
    plainExpect(1).not.toBe(2);
    expect(() => plainExpect({ a: 1 }, 'get').toEqual({ a: 2 })).toThrow('get: expected {"a":1} to equal {"a":2}');
    expect(() => plainExpect(false).toBe(true)).toThrow('expected false to be true');
    expect(() => plainExpect([1]).not.toContain(1)).toThrow('expected [1] not to contain 1');
    expect(() => plainExpect({ a: undefined }).toStrictEqual({})).toThrow();
    expect(() => plainExpect(new Date(1)).toEqual(new Date(2))).toThrow();
  });
});
