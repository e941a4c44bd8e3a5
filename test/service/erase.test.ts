import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, isPipelineError, type AuthorizationRequest, type OutboxEntry } from '../../src/index.js';
import { dumpMemoryState } from '../../src/adapters/memory/createMemoryRepositories.js';
import { dealerService } from './helpers.js';

describe('service.eraseDeal', () => {
  it('erases a deal as a command authorized as eraseDeal: gone from reads, figures kept, outbox redacted, a dealErased event delivered', async () => {
    const repos = createMemoryRepositories();
    const asked: AuthorizationRequest[] = [];
    const seen: OutboxEntry['event'][] = [];
    const { service } = await dealerService({
      authorize: (r) => {
        asked.push(r);
        return r.action !== 'eraseDeal' || r.by === 'dpo';
      },
      onEvents: (events) => void seen.push(...events),
    }, repos);
    await service.createDeal({ id: 'x', layoutId: 'sales', name: 'Private Person', ownerId: 'seller-7', amount: 900, currency: 'EUR' }, { by: 'ann' });
    await service.dispatch('x', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann' });
    await service.deliverPending();
    const dwellBefore = await service.dwellStats({ includeOpen: true, now: Date.parse('2027-01-01T00:00:00Z') });

    const refused = await service.eraseDeal('x', { by: 'ann' }).catch((e: unknown) => e);
    expect(isPipelineError(refused, 'forbidden')).toBe(true);
    const stale = await service.eraseDeal('x', { by: 'dpo', expectedVersion: 1 }).catch((e: unknown) => e);
    expect(isPipelineError(stale, 'conflict')).toBe(true);
    await service.eraseDeal('x', { by: 'dpo', expectedVersion: 2 });
    expect(asked.filter((r) => r.action === 'eraseDeal')).toEqual([
      { by: 'ann', action: 'eraseDeal', dealId: 'x', bypassRules: false },
      { by: 'dpo', action: 'eraseDeal', dealId: 'x', bypassRules: false },
      { by: 'dpo', action: 'eraseDeal', dealId: 'x', bypassRules: false },
    ]);

    expect(await service.getDeal('x')).toBeNull();
    expect(await service.dwellStats({ includeOpen: true, now: Date.parse('2027-01-01T00:00:00Z') })).toEqual(dwellBefore);
    await service.deliverPending();
    expect(seen.at(-1)).toMatchObject({ type: 'dealErased', dealId: 'x', version: 2, by: 'dpo' });
    const dump = dumpMemoryState(repos);
    for (const secret of ['Private Person', 'seller-7']) expect(dump).not.toContain(secret);
    expect(isPipelineError(await service.eraseDeal('x', { by: 'dpo' }).catch((e: unknown) => e), 'not_found')).toBe(true);
    expect(isPipelineError(await service.eraseDeal('x', { by: 'dpo', colour: 'red' } as never).catch((e: unknown) => e), 'invalid_input')).toBe(true);
  });
});
