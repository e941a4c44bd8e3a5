import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, createPipelineService, isPipelineError, type PipelineServiceOptions } from '../../src/index.js';
import { dealerService, T0 } from './helpers.js';

/** The PipelineError createPipelineService throws for these options (fails the test if it throws anything else or nothing). */
function refusal(extra: Record<string, unknown>, base: Record<string, unknown> = createMemoryRepositories() as never): { code: string; details: Record<string, unknown>; message: string } {
  let caught: unknown;
  try {
    createPipelineService((Object.keys(extra).length === 0 ? base : { ...base, ...extra }) as unknown as PipelineServiceOptions);
  } catch (e) {
    caught = e;
  }
  expect(isPipelineError(caught), `expected a PipelineError, got ${String(caught)}`).toBe(true);
  return caught as never;
}

describe('createPipelineService options', () => {
  it.each([
    ['chunkSize', 0],
    ['chunkSize', -5],
    ['chunkSize', 1.5],
    ['chunkSize', Number.NaN],
    ['chunkSize', Number.POSITIVE_INFINITY],
    ['chunkSize', '100'],
    ['chunkSize', 100_001],
    ['maxRetries', -1],
    ['maxRetries', 0.5],
    ['maxRetries', Number.POSITIVE_INFINITY],
    ['maxRetries', '3'],
    ['clock', 42],
    ['clock', 'now'],
    ['random', 0.5],
    ['authorize', true],
    ['onEvents', []],
    ['onDeliveryError', 'log'],
    ['retry', 5],
    ['retry', null],
    ['outbox', 'yes'],
    ['visits', 7],
  ])('refuses %s: %s with invalid_input naming options.%s', (key, value) => {
    const e = refusal({ [key]: value });
    expect(e.code).toBe('invalid_input');
    expect(e.details.path).toBe(`options.${key}`);
    expect(e.message).toContain(`options.${key}`);
  });

  it.each([
    [{ maxRetries: -1 }, 'options.retry.maxRetries'],
    [{ maxRetries: 2.5 }, 'options.retry.maxRetries'],
    [{ baseDelayMs: -1 }, 'options.retry.baseDelayMs'],
    [{ baseDelayMs: Number.NaN }, 'options.retry.baseDelayMs'],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, 'options.retry.maxDelayMs'],
    [{ maxDelayMs: '10' }, 'options.retry.maxDelayMs'],
    [{ tries: 3 }, 'options.retry.tries'],
  ])('refuses retry %j naming %s', (retry, path) => {
    const e = refusal({ retry });
    expect(e.code).toBe('invalid_input');
    expect(e.details.path).toBe(path);
  });

  it('refuses repositories without the methods the service calls, naming the missing one', () => {
    const repos = createMemoryRepositories();
    expect(refusal({ workspace: { load: repos.workspace.load } }).details.path).toBe('options.workspace.save');
    expect(refusal({ deals: { get: repos.deals.get, getMany: repos.deals.getMany, save: repos.deals.save } }).details.path).toBe('options.deals.list');
    expect(refusal({ deals: 'deals' }).details.path).toBe('options.deals');
    expect(refusal({}, {}).details.path).toBe('options.workspace');
  });

  it('refuses options that cannot be read, naming the option, with invalid_input rather than a TypeError', () => {
    const repos = createMemoryRepositories();
    const options = Object.defineProperty({ ...repos }, 'chunkSize', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const e = refusal({}, options);
    expect(e.code).toBe('invalid_input');
    expect(e.details.path).toBe('options.chunkSize');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(refusal({}, revoked.proxy as never).details.path).toBe('options');
    expect(refusal({}, null as never).details.path).toBe('options');
  });

  it('reads each option once: a getter cannot pass the check and then answer differently', async () => {
    let reads = 0;
    const repos = createMemoryRepositories();
    const options = Object.defineProperty({ ...repos }, 'chunkSize', {
      enumerable: true,
      get() {
        reads++;
        return reads === 1 ? 2 : 0;
      },
    });
    const service = createPipelineService(options as PipelineServiceOptions);
    expect(reads).toBe(1);
    await service.getWorkspace();
    expect(reads).toBe(1);
  });

  it('accepts every valid option, and options it does not know (for other parts of a host)', async () => {
    const { service } = await dealerService({
      chunkSize: 1,
      maxRetries: 0,
      retry: { maxRetries: 3, baseDelayMs: 0, maxDelayMs: 10 },
      random: () => 0.5,
      authorize: () => true,
      onEvents: () => undefined,
      onDeliveryError: () => undefined,
      ...({ somethingElse: 1 } as object),
    });
    await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
    await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'Van' });
    const report = await service.bulkUpdate({ dealIds: ['d1', 'd2'], change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'bestEffort' });
    expect(report.updated).toEqual(['d1', 'd2']);
  });

  it('reads the store in pages a listing may ask for, whatever chunkSize is (up to 100,000)', async () => {
    const { service } = await dealerService({ chunkSize: 5000 });
    for (let i = 0; i < 3; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `Deal ${i}`, amount: 1000 });
    expect((await service.conversionFunnel({ pipelineId: 'new-cars' })).deals).toBe(3);
    expect((await service.stalledDeals({ now: T0 })).length).toBe(0);
    expect(Object.keys(await service.weightedPipeline())).toHaveLength(1);
    expect((await service.listDeals({ limit: 10 })).deals).toHaveLength(3);
    const report = await service.bulkUpdate({ query: { pipelineId: 'new-cars' }, change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'bestEffort', chunkSize: 5000 });
    expect(report.updated).toEqual(['d0', 'd1', 'd2']);
    expect((await service.board('new-cars')).columns[0]!.count).toBe(3);
  });
});

