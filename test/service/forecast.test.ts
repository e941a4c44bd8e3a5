import { describe, expect, it } from 'vitest';
import { backtest, createMemoryRepositories, createPipelineService, forecast, learnPipeline } from '../../src/index.js';
import { syntheticDeals, syntheticWorkspace } from '../forecast/synthetic.js';

const end = Date.parse('2026-01-01T00:00:00Z');
const ws = syntheticWorkspace();
const deals = syntheticDeals({ start: Date.parse('2025-01-01T00:00:00Z'), end, perWeek: 10, seed: 3 });

async function storedService() {
  const repos = createMemoryRepositories();
  await repos.workspace.save(ws, 0);
  await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
  return createPipelineService({ ...repos, clock: () => end, chunkSize: 50 });
}

describe('the service forecasts over the store', () => {
  it('learns the model the array function learns from the stored deals', async () => {
    const service = await storedService();
    expect(await service.learnPipeline({ window: 200 })).toEqual(learnPipeline(ws, deals, { until: end, window: 200 }));
  });

  it('forecasts the deals open at `from` with the model learned as of `from`', async () => {
    const service = await storedService();
    const from = Date.parse('2025-10-01T00:00:00Z');
    const opts = { to: end, period: 'month' as const, runs: 200, seed: 5 };
    const expected = forecast(learnPipeline(ws, deals, { until: from }), deals, { from, ...opts });
    expect(await service.forecast({ from, ...opts })).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('backtests as the array function does', async () => {
    const service = await storedService();
    const opts = { at: [Date.parse('2025-09-01T00:00:00Z')], horizon: 2, period: 'month' as const, runs: 100 };
    expect(await service.backtest(opts)).toEqual(backtest(ws, deals, opts));
  });

  it('refuses malformed options naming the path', async () => {
    const service = await storedService();
    await expect(service.forecast({ to: end, period: 'year' as 'month' })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts.period' } });
    await expect(service.forecast(null as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts' } });
    await expect(service.learnPipeline({ window: 0 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts.window' } });
    await expect(service.learnPipeline({ since: end } as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'opts' } });
  });
});
