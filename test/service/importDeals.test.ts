import { describe, expect, it } from 'vitest';
import { configurationOf, createMemoryRepositories, createPipelineService, isPipelineError, type AuthorizationRequest } from '../../src/index.js';
import { changedResult, pipedriveResult } from './importSuite.js';

async function configured(options: { authorize?: (r: AuthorizationRequest) => boolean } = {}) {
  const service = createPipelineService({ ...createMemoryRepositories(), clock: () => Date.parse('2026-12-01T00:00:00Z'), ...options });
  const result = pipedriveResult();
  await service.applyConfiguration(configurationOf(result.workspace));
  return { service, result };
}

describe('service.importDeals', () => {
  it('asks authorize about each deal as importDeal, with the stored deal, and refuses what it refuses as forbidden', async () => {
    const asked: AuthorizationRequest[] = [];
    const { service, result } = await configured({ authorize: (r) => (asked.push(r), r.dealId !== '102') });
    const report = await service.importDeals(result.deals, { mode: 'upsert', by: 'sync' });
    expect(report.created).toEqual(['101', '103', '1']);
    expect(report.refused).toEqual([{ dealId: '102', code: 'forbidden', message: 'sync may not importDeal deal 102' }]);
    expect(asked.find((r) => r.action === 'importDeal')).toEqual({ by: 'sync', action: 'importDeal', dealId: '101', bypassRules: false, bulk: true });
    await service.importDeals(changedResult(result).deals, { mode: 'upsert', by: 'sync' });
    expect(asked.at(-1)).toMatchObject({ dealId: '1', deal: { id: '1', version: 2 } });
  });

  it('refuses with conflict a deal not at the version expectedVersions names', async () => {
    const { service, result } = await configured();
    await service.importDeals(result.deals, { mode: 'create' });
    const changed = changedResult(result).deals;
    const report = await service.importDeals(changed, { mode: 'upsert', expectedVersions: { '103': 1, '102': 2, nine: 1 } });
    expect(report.updated).toEqual(['102']);
    expect(report.refused.map((x) => [x.dealId, x.code])).toEqual([['103', 'conflict']]);
    const missing = await service.importDeals([{ ...changed[0]!, id: 'nine' }], { mode: 'upsert', expectedVersions: { nine: 1 } });
    expect(missing.refused.map((x) => [x.dealId, x.code])).toEqual([['nine', 'conflict']]);
  });

  it('refuses malformed input naming the argument, storing nothing', async () => {
    const { service, result } = await configured();
    const cases: [unknown, unknown, string][] = [
      ['nope', { mode: 'create' }, 'deals'],
      [result.deals, { mode: 'merge' }, 'opts.mode'],
      [result.deals, { mode: 'create', onProgress: 'yes' }, 'opts.onProgress'],
      [result.deals, { mode: 'create', signal: {} }, 'opts.signal'],
      [result.deals, { mode: 'create', chunkSize: 0 }, 'opts.chunkSize'],
      [result.deals, { mode: 'create', expectedVersions: { '101': 1 } }, 'opts.expectedVersions'],
      [result.deals, { mode: 'upsert', expectedVersions: JSON.parse('{"__proto__": 1}') }, 'opts.expectedVersions'],
    ];
    for (const [deals, opts, path] of cases) {
      const e = await service.importDeals(deals as never, opts as never).catch((x: unknown) => x);
      expect(isPipelineError(e, 'invalid_input') && String(e.details.path)).toContain(path);
    }
    expect(await service.getDeal('101')).toBeNull();
  });

  it('refuses entries that are not deals on their own', async () => {
    const { service, result } = await configured();
    const report = await service.importDeals([null, { id: '__proto__' }, ...result.deals] as never, { mode: 'create' });
    expect(report.created).toHaveLength(4);
    expect(report.refused.map((x) => [x.dealId, x.code])).toEqual([['deals[0]', 'invalid_input'], ['__proto__', 'invalid_input']]);
  });
});
