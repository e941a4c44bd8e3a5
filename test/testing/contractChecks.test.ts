// This file imports only sales-pipelines/testing, never its vitest entry: the checks run without
// vitest, as they do for a host that does not have it.
import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, type Repositories } from '../../src/index.js';
import { repositoryContractChecks } from '../../src/testing.js';

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

describe('repositoryContractChecks without vitest', () => {
  it('passes the memory store', async () => {
    expect(await failures(() => createMemoryRepositories())).toEqual({});
  });

  it('says where describeRepositoryContract lives when the suite is asked for without vitest bound', async () => {
    const { describeRepositoryContract } = await import('../../src/testing/repositoryContract.js');
    expect(() => describeRepositoryContract('x', () => createMemoryRepositories())).toThrow("import it from 'sales-pipelines/testing/vitest'");
  });
});
