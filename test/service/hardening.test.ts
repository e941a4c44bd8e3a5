import { describe, expect, it } from 'vitest';
import { applyWorkspace, createMemoryRepositories, createPipelineService, isPipelineError } from '../../src/index.js';
import { dealerService, steppingClock } from './helpers.js';

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const e = await promise.then(() => undefined, (err: unknown) => err);
  expect(isPipelineError(e), String(e)).toBe(true);
  return e as never;
}

describe('bulkUpdate expectedVersions', () => {
  it('refuses a version for a deal the request does not list, naming the path, and changes nothing', async () => {
    const { service } = await dealerService();
    await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
    await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'Van' });
    const e = await rejection(
      service.bulkUpdate({ dealIds: ['d1'], expectedVersions: { d1: 1, d2: 7 }, change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'bestEffort' }),
    );
    expect(e.code).toBe('invalid_input');
    expect(e.details.path).toBe('request.expectedVersions.d2');
    expect(e.message).toContain('d2');
    expect((await service.getDeal('d1'))!.version).toBe(1);
  });

  it('still accepts versions for some of the listed deals', async () => {
    const { service } = await dealerService();
    await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' });
    await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'Van' });
    const report = await service.bulkUpdate({ dealIds: ['d1', 'd2'], expectedVersions: { d2: 1 }, change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'atomic' });
    expect(report.updated).toEqual(['d1', 'd2']);
  });
});

describe('deletePipeline run again after the pipeline went', () => {
  const stage = (id: string, outcome: 'open' | 'won' = 'open') => ({ id, name: id, probability: 10, outcome, forecastCategory: 'pipeline' as const });

  async function strandedIn(stageId: string) {
    const repos = createMemoryRepositories();
    const service = createPipelineService({ ...repos, clock: steppingClock() });
    await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: [stage('a'), stage(stageId), stage('won', 'won')] });
    await service.configure({ type: 'createPipeline', layoutId: 'sales', pipelineId: 'p1', name: 'One', stages: ['a', stageId, 'won'], makeDefault: true });
    await service.configure({ type: 'createPipeline', layoutId: 'sales', pipelineId: 'p2', name: 'Two', stages: ['a', stageId, 'won'] });
    await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV', pipelineId: 'p1', stageId });
    // The pipeline goes while a deal still names it (a crash between the save and the last sweep).
    const ws = await repos.workspace.load();
    const next = applyWorkspace(ws, { type: 'setDefaultPipeline', layoutId: 'sales', pipelineId: 'p2' }, { at: 1 }).workspace;
    const gone = applyWorkspace(next, { type: 'deletePipeline', pipelineId: 'p1', transferTo: { pipelineId: 'p2' } }, { at: 2 }).workspace;
    await repos.workspace.save(gone, ws.version);
    return service;
  }

  it.each(['toString', 'valueOf', 'hasOwnProperty'])('moves a deal left in a stage named %s', async (stageId) => {
    const service = await strandedIn(stageId);
    await service.configure({ type: 'deletePipeline', pipelineId: 'p1', transferTo: { pipelineId: 'p2' } });
    expect(await service.getDeal('d1')).toMatchObject({ pipelineId: 'p2', stageId });
  });

  it('follows the stage map of the rerun by own keys only', async () => {
    const service = await strandedIn('toString');
    await service.configure({ type: 'deletePipeline', pipelineId: 'p1', transferTo: { pipelineId: 'p2', stageMap: { toString: 'a' } } });
    expect(await service.getDeal('d1')).toMatchObject({ pipelineId: 'p2', stageId: 'a' });
  });
});
