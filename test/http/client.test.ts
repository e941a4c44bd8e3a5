import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationOf, isPipelineError, PipelineError, type BulkProgress, type PipelineService } from '../../src/index.js';
import { createHttpClient, type HttpClient } from '../../src/http.js';
import { dealerApi } from './server.js';
import { expectPipelineError } from '../helpers/expectError.js';

let service: PipelineService;
let base: string;
let close: () => Promise<void>;
let client: HttpClient;
let unexpected: unknown[];

beforeAll(async () => {
  ({ service, base, close, unexpected } = await dealerApi());
  client = createHttpClient(`${base}/`, { headers: { 'x-user': 'ann' } });
  for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) await client.createDeal({ id, layoutId: 'sales', name: `Deal ${id}`, ownerId: 'ann' });
});
afterAll(() => close());

async function caught(promise: Promise<unknown>): Promise<PipelineError> {
  const e = await promise.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(PipelineError);
  return e as PipelineError;
}

describe('createHttpClient', () => {
  it('creates, reads and moves deals as the user its headers name', async () => {
    const deal = (await client.getDeal('c1'))!;
    expect(deal).toMatchObject({ id: 'c1', version: 1 });
    const moved = await client.dispatch('c1', { type: 'moveToStage', stageId: 'test-drive' }, { expectedVersion: deal.version });
    expect(moved).toMatchObject({ stageId: 'test-drive', version: 2 });
    expect(moved.history.at(-1)!.by).toBe('ann');
    expect(await client.getDeal('nope')).toBeNull();
  });

  it('rebuilds errors as PipelineErrors from problem details: code, message, details and status', async () => {
    const stale = await caught(client.dispatch('c1', { type: 'moveToStage', stageId: 'quote' }, { expectedVersion: 1 }));
    expect(isPipelineError(stale, 'conflict')).toBe(true);
    expect(stale.details).toMatchObject({ status: 412, currentVersion: 2, expectedVersion: 1 });
    const refused = await caught(client.dispatch('c1', { type: 'moveToStage', stageId: 'negotiation' }));
    expect(refused.code).toBe('transition_not_allowed');
    expect((refused.details['violations'] as { code: string }[]).map((v) => v.code)).toContain('skip_not_allowed');
    const invalid = await caught(client.createDeal({ id: 'x', layoutId: 'sales', name: 'x', currency: 'euro' }));
    expect(invalid.code).toBe('invalid_input');
    expect(invalid.message).toContain('currency');
    const all = await caught(client.bulkUpdate({ query: {}, change: { type: 'updateDeal', patch: { name: 'x' } }, mode: 'bestEffort' }));
    expect(all.details).toMatchObject({ status: 400, path: 'body.all' });
  });

  it('turns a server that cannot be reached into storage_failed', async () => {
    const nowhere = createHttpClient('http://127.0.0.1:1');
    const e = await caught(nowhere.getWorkspace());
    expect(e.code).toBe('storage_failed');
  });

  it('moves with a patch in one request', async () => {
    await client.dispatch('c2', { type: 'moveToStage', stageId: 'test-drive' });
    const moved = await client.dispatch('c2', { type: 'moveToStage', stageId: 'quote', patch: { amount: 9_000, currency: 'EUR' } });
    expect(moved).toMatchObject({ stageId: 'quote', amount: 9_000, version: 3 });
  });

  it('lists deals with the listing parameters and pages on with the cursor', async () => {
    const first = await client.listDeals({ layoutId: 'sales', pipelineId: 'new-cars', stageId: 'requirements', limit: 2 });
    expect(first.deals.map((d) => d.id)).toEqual(['c3', 'c4']);
    const second = await client.listDeals({ layoutId: 'sales', pipelineId: 'new-cars', stageId: 'requirements', limit: 2, after: first.next });
    expect(second).toEqual({ deals: [expect.objectContaining({ id: 'c5' })], next: null });
    const withHistory = await client.listDeals({ stageId: 'quote', include: ['history'], limit: 5 });
    expect(withHistory.deals[0]!.history).toHaveLength(3);
  });

  it('shows a board, the workspace, the configuration plan and a report', async () => {
    const board = await client.board('new-cars', { perStage: 1, include: ['history'] });
    expect(board.columns[0]!).toMatchObject({ count: 3, next: 'c3' });
    expect(await client.getWorkspace()).toEqual(await service.getWorkspace());
    const desired = configurationOf(await service.getWorkspace(), ['service']);
    desired.layouts[0]!.name = 'Workshop';
    expect(await client.applyConfiguration(desired, { dryRun: true })).toEqual({ commands: [{ type: 'renameLayout', layoutId: 'service', name: 'Workshop' }], dryRun: true });
    const now = Date.now() + 1_000;
    expect(await client.report('dwellStats', { pipelineId: 'new-cars', includeOpen: true, now })).toEqual(await service.dwellStats({ pipelineId: 'new-cars', includeOpen: true, now }));
    expect(await client.health()).toMatchObject({ status: 'ok' });
  });

  it('sends a bulk update by ids in chunks, telling onProgress after each', async () => {
    const seen: BulkProgress[] = [];
    const report = await client.bulkUpdate({
      dealIds: ['c3', 'c4', 'c5'], change: { type: 'updateDeal', patch: { ownerId: 'bob' } }, mode: 'bestEffort', chunkSize: 2,
      expectedVersions: { c3: 1, c4: 1, c5: 1 }, onProgress: (p) => seen.push(p),
    });
    expect(report).toEqual({ updated: ['c3', 'c4', 'c5'], rejected: [], unchanged: [] });
    expect(seen).toEqual([{ done: 2, total: 3 }, { done: 3, total: 3 }]);
  });

  it('stops a chunked bulk update between requests when the signal is aborted, reporting what was committed', async () => {
    const controller = new AbortController();
    const report = await client.bulkUpdate({
      dealIds: ['c3', 'c4', 'c5'], change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'bestEffort', chunkSize: 1,
      signal: controller.signal, onProgress: () => controller.abort(),
    });
    expect(report).toEqual({ updated: ['c3'], rejected: [], unchanged: [], cancelled: true });
    expect((await service.getDeal('c4'))!.ownerId).toBe('bob');
  });

  it('never answered with an unexpected error', () => {
    expect(unexpected).toEqual([]);
  });
});

describe('createHttpClient (arguments)', () => {
  it('refuses a base URL that is not a string or URL, or malformed options, naming the argument', () => {
    const cases: [unknown[], string][] = [[[42], 'baseUrl'], [[null], 'baseUrl'], [[''], 'baseUrl'], [['http://x', 5], 'options'], [['http://x', { fetch: 'no' }], 'options.fetch'], [['http://x', { headers: 3 }], 'options.headers']];
    for (const [args, path] of cases) {
      const thrown = expectPipelineError(() => (createHttpClient as (...a: unknown[]) => unknown)(...args), 'invalid_input');
      expect(thrown.details.path).toBe(path);
      expect(thrown.message).toContain(path);
    }
  });

  it('accepts a URL object', () => {
    expect(typeof createHttpClient(new URL('http://127.0.0.1:1/api')).getDeal).toBe('function');
  });
});
