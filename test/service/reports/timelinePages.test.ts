import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isPipelineError, pipelineWaterfall, type Repositories, type TimelinePage, type TimelineQuery } from '../../../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../../../src/sqlite.js';
import { allDeals, dealerService } from '../helpers.js';

const window = { from: '2026-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };

/** SQLite repositories whose `deals.timelines` goes through `wrap` (each query it is asked is logged). */
function wrapped(wrap: (q: TimelineQuery, read: () => Promise<TimelinePage>) => Promise<TimelinePage>): { repos: Repositories; asked: (string | null)[] } {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db);
  const asked: (string | null)[] = [];
  const deals = Object.assign(Object.create(repos.deals) as Repositories['deals'], {
    timelines: (q: TimelineQuery) => {
      asked.push(q.after ?? null);
      return wrap(q, () => repos.deals.timelines!(q));
    },
  });
  return { repos: { ...repos, deals }, asked };
}

async function seeded(repos: Repositories) {
  const { service } = await dealerService({ chunkSize: 2 }, repos);
  for (let i = 0; i < 7; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `D${i}`, amount: 1000 * (i + 1), currency: 'EUR' });
  await service.dispatch('d3', { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' });
  return service;
}

describe('service.pipelineWaterfall over deals.timelines, a page read ahead', () => {
  it('reads each page once, in order, and gives the figures of the array function', async () => {
    const { repos, asked } = wrapped((_, read) => read());
    const service = await seeded(repos);
    asked.length = 0;
    const got = await service.pipelineWaterfall(window);
    expect(asked).toEqual([null, 'd1', 'd3', 'd5']);
    expect(got).toEqual(pipelineWaterfall(await repos.workspace.load(), await allDeals(repos), window));
    expect(got.EUR?.lost.dealIds).toEqual(['d3']);
  });

  it('fails with the error of a page that fails', async () => {
    const { repos } = wrapped(async (q, read) => {
      if (q.after === 'd3') throw new Error('page lost');
      return read();
    });
    const service = await seeded(repos);
    await expect(service.pipelineWaterfall(window)).rejects.toThrow('page lost');
  });

  it('fails with the tally\'s error when a page is malformed, while the page read ahead fails unobserved', async () => {
    const { repos, asked } = wrapped(async (q, read) => {
      if (q.after !== null && q.after !== undefined) throw new Error('read ahead and lost');
      const page = await read();
      return { ...page, deals: page.deals.map((t, i) => (i === 0 ? { ...t, history: [{ ...t.history[0]!, enteredAt: 'soon' as unknown as number }] } : t)) };
    });
    const service = await seeded(repos);
    asked.length = 0;
    const error = await service.pipelineWaterfall(window).then(() => null, (e: unknown) => e);
    expect(isPipelineError(error, 'invalid_input')).toBe(true);
    expect(asked).toEqual([null, 'd1']);
    // An unhandled rejection of the page read ahead would fail this file.
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
});
