// A workload that exercises every statement of the SQLite adapter through the service and the
// repositories directly.
import { createPipelineService } from '../../src/index.js';
import type { SqliteRepositories } from '../../src/sqlite.js';
import { dealerCommands } from '../../examples/dealership.js';
import { steppingClock } from '../service/helpers.js';
import { wholeDeals as allDeals } from '../helpers/paging.js';

export async function runWorkload(repos: SqliteRepositories, prefix = ''): Promise<void> {
  const service = createPipelineService({ ...repos, clock: steppingClock() });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  for (let i = 0; i < 12; i++) {
    await service.createDeal({ id: `${prefix}d${i}`, layoutId: i % 4 === 0 ? 'service' : 'sales', name: `Deal ${i}`, amount: 1000 + i, currency: i % 2 ? 'EUR' : 'USD', closingDate: '2026-09-30' });
  }
  await service.dispatch(`${prefix}d1`, { type: 'moveToStage', stageId: 'test-drive' });
  await service.dispatch(`${prefix}d1`, { type: 'updateDeal', patch: { amount: 5000 } });
  await service.bulkUpdate({ query: { pipelineId: 'new-cars', stageId: 'requirements' }, change: { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } }, mode: 'bestEffort', chunkSize: 3 });
  await allDeals(repos);
  for (const q of [{ layoutId: 'sales' }, { pipelineId: null }, { pipelineId: 'used-cars', stageId: 'show-models' }, { stageId: 'analysis', after: `${prefix}d0` }]) {
    await repos.deals.list({ ...q, limit: 2 });
  }
  await repos.deals.getMany([`${prefix}d1`, `${prefix}d2`, 'missing']);
  await repos.deals.summarize({ pipelineId: 'used-cars', rottingBefore: { 'show-models': Date.parse('2026-04-01T00:00:00Z') } });
  for (const q of [{}, { pipelineId: 'used-cars' }, { pipelineId: null }, { layoutId: 'service' }]) {
    const first = await repos.visits.list({ ...q, limit: 3 });
    if (first.next) await repos.visits.list({ ...q, after: first.next, limit: 3 });
  }
  const pending = await repos.outbox.pending(100);
  await repos.outbox.markDelivered(pending.map((p) => p.seq));
  const d1 = (await repos.deals.get(`${prefix}d1`))!;
  await repos.deals.save([{ deal: d1, expectedVersion: 1 }]).catch(() => undefined);
  await repos.deals.save([{ deal: { ...d1, version: d1.version + 1, history: d1.history.slice(0, 1) }, expectedVersion: d1.version }], { workspaceVersion: 0 }).catch(() => undefined);
  await repos.deals.save([{ deal: { ...d1, version: d1.version + 1, history: d1.history.slice(0, 1) }, expectedVersion: d1.version }]);
  const ws = await repos.workspace.load();
  await repos.workspace.save(ws, ws.version - 1).catch(() => undefined);
}
