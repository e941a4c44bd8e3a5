import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, isPipelineError, type Deal } from '../../src/index.js';
import { newDeal, step, ws } from '../helpers/dealer.js';

/** The error a save rejects with, or null when it succeeds. */
async function saveError(deal: Deal, other?: Deal): Promise<{ code: string; message: string } | null> {
  const repos = createMemoryRepositories({ workspace: ws });
  try {
    await repos.deals.save([...(other ? [{ deal: other, expectedVersion: null }] : []), { deal, expectedVersion: null }]);
    return null;
  } catch (e) {
    expect(isPipelineError(e)).toBe(true);
    const stored = await repos.deals.getMany([deal.id, ...(other ? [other.id] : [])]);
    expect(stored).toEqual([]);
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

const withFields = (fields: Record<string, unknown>, id = 'd1'): Deal => ({ ...newDeal({ id }), fields } as unknown as Deal);

describe('the memory store keeps plain JSON data only, frozen', () => {
  it('refuses a value that is not JSON data, naming where it sits, and stores nothing of the save', async () => {
    const ok = newDeal({ id: 'd0' });
    expect(await saveError(withFields({ n: Number.NaN }), ok)).toEqual({ code: 'invalid_input', message: 'changes[1].deal.fields.n: expected a finite number' });
    expect(await saveError(withFields({ list: [1, 'a', { deep: Infinity }] }), ok)).toEqual({
      code: 'invalid_input',
      message: 'changes[1].deal.fields.list[2].deep: expected a finite number',
    });
    expect(await saveError(withFields({ list: [true, undefined] }), ok)).toEqual({ code: 'invalid_input', message: 'changes[1].deal.fields.list[1]: expected JSON data, got undefined' });
    expect(await saveError(withFields({ f: () => 1 }), ok)).toEqual({ code: 'invalid_input', message: 'changes[1].deal.fields.f: expected JSON data, got function' });
    expect(await saveError(withFields({ when: new Date(0) }), ok)).toEqual({ code: 'invalid_input', message: 'changes[1].deal.fields.when: expected a plain object' });
    expect(await saveError(withFields({ big: 1n }), ok)).toEqual({ code: 'invalid_input', message: 'changes[1].deal.fields.big: expected JSON data, got bigint' });
  });

  it('accepts nulls, absent values and objects without a prototype, and freezes every level of the saved deal', async () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: [null, 1, 'x', false] });
    const deal = withFields({ none: null, skipped: undefined, bare });
    expect(await saveError(deal)).toBeNull();
    expect(Object.isFrozen(deal)).toBe(true);
    expect(Object.isFrozen(deal.fields)).toBe(true);
    expect(Object.isFrozen(bare)).toBe(true);
    expect(Object.isFrozen(bare.a)).toBe(true);
    expect(deal.history.every((v) => Object.isFrozen(v))).toBe(true);
  });

  it('a moved deal shares its older visits with the stored version and comes back frozen as the same object', async () => {
    const repos = createMemoryRepositories({ workspace: ws, deals: [newDeal()] });
    const stored = (await repos.deals.get('d1'))!;
    const moved = step(stored, { type: 'moveToStage', stageId: 'test-drive' });
    expect(moved.history[0]).not.toBe(stored.history[0]); // the closed visit is a new row
    await repos.deals.save([{ deal: moved, expectedVersion: stored.version }]);
    const back = (await repos.deals.get('d1'))!;
    expect(back).toBe(moved);
    expect(Object.isFrozen(back.history)).toBe(true);
    expect(back.history.every((v) => Object.isFrozen(v))).toBe(true);
    expect(back.fields).toBe(stored.fields);
  });
});
