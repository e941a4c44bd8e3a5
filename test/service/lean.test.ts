import { describe, expect, it } from 'vitest';
import { isPipelineError } from '../../src/index.js';
import { dealerService } from './helpers.js';

async function withHistory() {
  const { service } = await dealerService();
  await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV', amount: 10 }, { by: 'ann' });
  await service.dispatch('d1', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' });
  await service.dispatch('d1', { type: 'updateDeal', patch: { amount: 20 } }, { by: 'ann' });
  await service.createDeal({ id: 'd2', layoutId: 'sales', name: 'Van' }, { by: 'ann' });
  return service;
}

describe('lean cards', () => {
  it('lists deals with only their current visit and no change log unless asked', async () => {
    const service = await withHistory();
    const stored = (await service.getDeal('d1'))!;
    expect(stored.history).toHaveLength(2);
    const { deals } = await service.listDeals({ pipelineId: 'new-cars', limit: 10 });
    const lean = deals.find((d) => d.id === 'd1')!;
    expect(lean.history).toEqual([stored.history[1]]);
    expect('changes' in lean).toBe(false);
    const { changes: _log, history: _visits, ...rest } = stored;
    expect(lean).toMatchObject(rest);
  });

  it('lists whole deals with include history and changes, and either part alone', async () => {
    const service = await withHistory();
    const stored = (await service.getDeal('d1'))!;
    const find = async (include: ('history' | 'changes')[]) => (await service.listDeals({ stageId: 'test-drive', include, limit: 10 })).deals[0]!;
    expect(await find(['history', 'changes'])).toEqual(stored);
    const history = await find(['history']);
    expect(history.history).toEqual(stored.history);
    expect('changes' in history).toBe(false);
    const changes = await find(['changes']);
    expect(changes.changes).toEqual(stored.changes);
    expect(changes.history).toEqual(stored.history.slice(-1));
  });

  it('shows board cards lean unless asked', async () => {
    const service = await withHistory();
    const lean = await service.board('new-cars');
    const card = lean.columns.find((c) => c.stage.id === 'test-drive')!.deals[0]!;
    expect(card.history).toHaveLength(1);
    expect(card.history[0]!.stageId).toBe('test-drive');
    expect('changes' in card).toBe(false);
    const full = await service.board('new-cars', { include: ['history', 'changes'] });
    expect(full.columns.find((c) => c.stage.id === 'test-drive')!.deals[0]).toEqual(await service.getDeal('d1'));
  });

  it('refuses an unknown include with invalid_input naming it', async () => {
    const service = await withHistory();
    const listed = await service.listDeals({ limit: 1, include: ['fields'] as never }).catch((e: unknown) => e);
    expect(isPipelineError(listed, 'invalid_input') && listed.message).toContain('query.include');
    const board = await service.board('new-cars', { include: 'history' as never }).catch((e: unknown) => e);
    expect(isPipelineError(board, 'invalid_input') && board.message).toContain('options.include');
  });
});
