import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, createPipelineService } from '../../src/index.js';
import { LATER, makeDeals, ws } from '../../bench/data.js';

describe('bulkUpdate at scale on the memory store', () => {
  it('an atomic bulk update of 1,000,000 deals completes with the default heap and reports every deal', async () => {
    const deals = makeDeals(1_000_000, 1, 'quote');
    const service = createPipelineService({ ...createMemoryRepositories({ workspace: ws, deals }), clock: () => LATER });
    const ids = deals.map((d) => d.id);
    const report = await service.bulkUpdate({ dealIds: ids, change: { type: 'moveToStage', stageId: 'negotiation' }, mode: 'atomic' });
    expect(report.rejected).toEqual([]);
    expect(report.aborted).toBeUndefined();
    expect(report.updated.length).toBe(1_000_000);
    expect(report.updated[999_999]).toBe('deal-999999');
    expect((await service.getDeal('deal-123456'))!).toMatchObject({ stageId: 'negotiation', version: 2 });
  }, 300_000);
});
