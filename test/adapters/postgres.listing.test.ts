import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDealQuery, pageOfDeals, type Deal, type DealQuery } from '../../src/index.js';
import { createPostgresRepositories } from '../../src/postgres.js';
import { freshTenant, pgliteDatabase } from './postgresDatabases.js';

// Names mix cases, accents and letters whose lower case grows ('İ'); they stay in the Basic
// Multilingual Plane below U+D800, where JavaScript's code-unit order and the byte order of
// COLLATE "C" agree (see the README on listing order).
const NAMES = ['Alpha', 'alpha', 'BETA', 'Ça va', 'İstanbul', 'straße', 'gamma ray', 'Gamma', 'δέλτα'];
const PIPELINES = ['p1', 'p2', null];
const STAGES = ['s1', 's2', 's3'];
const OWNERS = ['ann', 'bob', null];
const AMOUNTS = [null, 0, 5, 5.5, 100, -3];
const DATES = [null, '2026-03-01', '2026-03-31', '2026-04-15'];

const arbDeal = (id: string): fc.Arbitrary<Deal> =>
  fc.record({
    name: fc.constantFrom(...NAMES), pipelineId: fc.constantFrom(...PIPELINES), stageId: fc.constantFrom(...STAGES), ownerId: fc.constantFrom(...OWNERS),
    amount: fc.constantFrom(...AMOUNTS), closingDate: fc.constantFrom(...DATES), updatedAt: fc.integer({ min: 0, max: 5 }), enteredAt: fc.integer({ min: 0, max: 5 }),
    outcome: fc.constantFrom('open' as const, 'won' as const, 'lost' as const), changes: fc.boolean(),
  }).map((r) => ({
    id, layoutId: r.pipelineId === 'p2' ? 'l2' : 'l1', pipelineId: r.pipelineId, stageId: r.stageId, name: r.name, amount: r.amount, currency: null, probability: 10,
    closingDate: r.closingDate, ownerId: r.ownerId, lostReason: null, fields: { n: id }, createdAt: 0, updatedAt: r.updatedAt, version: 1,
    history: [
      { pipelineId: r.pipelineId, stageId: 's0', enteredAt: -1, exitedAt: r.enteredAt, amount: null, probability: 5, expectedRevenue: null, closingDate: null, forecastCategory: 'pipeline', outcome: 'open', by: null, bypassedRules: false },
      { pipelineId: r.pipelineId, stageId: r.stageId, enteredAt: r.enteredAt, exitedAt: null, amount: r.amount, probability: 10, expectedRevenue: null, closingDate: r.closingDate, forecastCategory: 'pipeline', outcome: r.outcome, by: 'ann', bypassedRules: false },
    ],
    ...(r.changes ? { changes: [{ at: 1, by: null, field: 'amount' as const, from: null, to: r.amount }] } : {}),
  }));

// Zero to two filters at a time (more would mostly match nothing), any sort, order, include and page size.
const arbFilters = fc.record({
  layoutId: fc.constantFrom('l1', 'l2'), pipelineId: fc.constantFrom(...PIPELINES), stageId: fc.constantFrom(...STAGES), ownerId: fc.constantFrom(...OWNERS),
  outcome: fc.constantFrom('open' as const, 'won' as const, 'lost' as const), closingFrom: fc.constantFrom('2026-03-01', '2026-03-15'),
  closingTo: fc.constantFrom('2026-03-31', '2026-04-15'), amountMin: fc.constantFrom(0, 5, 5.5), amountMax: fc.constantFrom(5, 100),
  search: fc.constantFrom('a', 'AL', 'i̇', 'SS', 'ß', 'ga', ''), rotting: fc.boolean(),
}).chain((all) => fc.subarray(Object.entries(all), { maxLength: 2 }).map((entries) => Object.fromEntries(entries)));

const arbQuery: fc.Arbitrary<DealQuery> = fc
  .tuple(
    arbFilters,
    fc.constantFrom({ p1: { s1: 3, s2: 1 }, '': { s3: 4 } }, {}),
    fc.constantFrom('id' as const, 'name' as const, 'amount' as const, 'closingDate' as const, 'updatedAt' as const, 'stageEnteredAt' as const),
    fc.constantFrom('asc' as const, 'desc' as const),
    fc.option(fc.subarray(['history' as const, 'changes' as const]), { nil: undefined }),
    fc.integer({ min: 1, max: 4 }),
  )
  // checkDealQuery refuses the cursor encodeCursor writes for id descending (it expects a number), so that order pages once.
  .map(([filters, rottingBefore, sort, order, include, limit]) => ({ ...filters, rottingBefore, sort, order: sort === 'id' ? 'asc' : order, ...(include ? { include } : {}), limit }));

describe('deals.list on PGlite', () => {
  const pglite = pgliteDatabase();

  it('gives, page after page, exactly what pageOfDeals gives over the same deals: filters, sort, nulls last, ties by id, cursors, lean deals', async () => {
    const db = await pglite();
    const ids = ['a', 'B', 'b', 'c', 'd1', 'd10', 'd2', 'é', 'z'];
    let listed = 0;
    await fc.assert(
      fc.asyncProperty(fc.tuple(...ids.map(arbDeal)), fc.array(arbQuery, { minLength: 1, maxLength: 4 }), async (deals, queries) => {
        const repos = createPostgresRepositories(db, { tenantId: freshTenant('list') });
        await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
        for (const query of queries) {
          let after: string | null = null;
          let pages = 0;
          do {
            const q: DealQuery = { ...query, after };
            const expected = pageOfDeals(deals, checkDealQuery(q));
            const got = await repos.deals.list(q);
            listed += got.deals.length;
            expect(got, JSON.stringify(q)).toEqual(expected);
            const tails = await repos.deals.listTails(q);
            expect(tails.tails.map((t) => t.deal.id)).toEqual(expected.deals.map((d) => d.id));
            after = got.next;
          } while (after !== null && ++pages < 20);
        }
      }),
      { numRuns: 40 },
    );
    expect(listed).toBeGreaterThan(100); // the queries found deals, not only empty pages
  }, 300_000);

  it('refuses a malformed query as checkDealQuery does, naming the field', async () => {
    const repos = createPostgresRepositories(await pglite(), { tenantId: freshTenant('list') });
    for (const [q, path] of [[{ limit: 0 }, 'query.limit'], [{ limit: 5, sort: 'size' }, 'query.sort'], [{ limit: 5, after: '~amount.desc.@@' , sort: 'amount', order: 'desc' }, 'query.after'], [{ limit: 5, closingFrom: '2026-02-30' }, 'query.closingFrom']] as const) {
      await expect(repos.deals.list(q as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path } });
    }
  });
});
