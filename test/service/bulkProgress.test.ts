import { describe, expect, it } from 'vitest';
import { isPipelineError, type BulkProgress } from '../../src/index.js';
import { dealerService } from './helpers.js';

async function fiveDeals() {
  const { service } = await dealerService();
  const ids = ['d1', 'd2', 'd3', 'd4', 'd5'];
  for (const id of ids) await service.createDeal({ id, layoutId: 'sales', name: id });
  return { service, ids };
}

const change = { type: 'moveToStage', stageId: 'test-drive' } as const;

describe('bulkUpdate progress and cancellation', () => {
  it('tells onProgress after each committed chunk', async () => {
    const { service, ids } = await fiveDeals();
    const seen: BulkProgress[] = [];
    const report = await service.bulkUpdate({ dealIds: ids, change, mode: 'bestEffort', chunkSize: 2, onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([{ done: 2, total: 5 }, { done: 4, total: 5 }, { done: 5, total: 5 }]);
    expect(report.updated).toEqual(ids);
    expect('cancelled' in report).toBe(false);
  });

  it('stops between chunks when the signal is aborted, keeping and reporting the committed chunks', async () => {
    const { service, ids } = await fiveDeals();
    const controller = new AbortController();
    const report = await service.bulkUpdate({
      dealIds: ids, change, mode: 'bestEffort', chunkSize: 2, signal: controller.signal,
      onProgress: ({ done }) => done >= 2 && controller.abort(),
    });
    expect(report).toEqual({ updated: ['d1', 'd2'], rejected: [], unchanged: [], cancelled: true });
    const stages = await Promise.all(ids.map(async (id) => (await service.getDeal(id))!.stageId));
    expect(stages).toEqual(['test-drive', 'test-drive', 'requirements', 'requirements', 'requirements']);
  });

  it('does nothing with a signal aborted before it starts, in either mode', async () => {
    const { service, ids } = await fiveDeals();
    for (const mode of ['bestEffort', 'atomic'] as const) {
      const report = await service.bulkUpdate({ dealIds: ids, change, mode, signal: AbortSignal.abort() });
      expect(report).toEqual({ updated: [], rejected: [], unchanged: [], cancelled: true });
    }
    expect((await service.getDeal('d1'))!.version).toBe(1);
  });

  it('reports an unknown total while paging through a query, and the whole count once for atomic', async () => {
    const { service } = await fiveDeals();
    const seen: BulkProgress[] = [];
    await service.bulkUpdate({ query: { pipelineId: 'new-cars' }, change, mode: 'bestEffort', chunkSize: 3, onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([{ done: 3, total: null }, { done: 5, total: null }]);
    seen.length = 0;
    await service.bulkUpdate({ query: { pipelineId: 'new-cars' }, change: { type: 'moveToStage', stageId: 'quote' }, mode: 'atomic', onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([{ done: 5, total: 5 }]);
  });

  it('refuses an onProgress that is not a function and a signal that is not an AbortSignal', async () => {
    const { service, ids } = await fiveDeals();
    for (const [key, value] of [['onProgress', 'yes'], ['signal', { aborted: 'no' }]] as const) {
      const e = await service.bulkUpdate({ dealIds: ids, change, mode: 'bestEffort', [key]: value } as never).catch((x: unknown) => x);
      expect(isPipelineError(e, 'invalid_input') && e.details).toMatchObject({ path: `request.${key}` });
    }
  });
});
