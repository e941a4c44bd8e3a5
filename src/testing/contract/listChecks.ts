import { isPipelineError } from '../../errors.js';
import { applyDeal } from '../../deals/apply.js';
import type { Deal } from '../../model/deal.js';
import { checkDealQuery, encodeCursor, pageOfDeals } from '../../ports/dealQuery.js';
import type { DealQuery, Repositories } from '../../ports/repositories.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { readAllPages, T, ws, type ContractCheck } from './fixtures.js';

const DAY = 86_400_000;

/**
 * Deals that tell every filter and sort apart: owners (and none), amounts (and none, and ties),
 * closing dates (and none), names in mixed case, stages of each outcome, layouts with and
 * without pipelines, different update and stage-entry instants, a change log.
 */
function listingDeals(): Deal[] {
  const rows: [id: string, layoutId: string, name: string, owner: string | null, amount: number | null, closing: string | null, moves: string[]][] = [
    ['d01', 'a', 'Fleet of Vans', 'ann', 5000, '2026-03-31', []],
    ['d02', 'a', 'fleet renewal', 'bob', 12000, '2026-03-01', ['quote']],
    ['d03', 'a', 'Estate', null, null, null, ['quote', 'won']],
    ['d04', 'a', 'ESTATE CAR', 'ann', 5000, '2026-04-15', ['quote']],
    ['d05', 'a', 'Zebra', 'ann', 800, '2026-02-28', []],
    ['d06', 'b', 'Café Ünïcode', 'bob', 12000, null, ['quote']],
    ['d07', 'b', 'van', null, 0, '2026-03-31', ['won']],
    ['d08', 'b', 'Alpha', 'cy', -5, '2026-03-15', []],
    ['d09', 'a', 'alpha', 'cy', null, '2026-03-15', ['quote']],
    ['d10', 'a', '100% off_sale', 'ann', 99.5, '2026-05-01', []],
  ];
  return rows.map(([id, layoutId, name, ownerId, amount, closingDate, moves], i) => {
    const at = T + i * DAY;
    let d = applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId, name, ownerId, amount, currency: amount === null ? null : 'EUR', closingDate } }, { at }).deal;
    moves.forEach((stageId, k) => (d = applyDeal(ws, d, { type: 'moveToStage', stageId }, { at: at + (k + 1) * 3_600_000 * (10 - i) }).deal));
    if (i % 3 === 0) d = applyDeal(ws, d, { type: 'updateDeal', patch: { fields: { note: `n${i}` } } }, { at: d.updatedAt + 1000 }).deal;
    return d;
  });
}

/** Every query a listing must answer like `pageOfDeals`: each filter, each sort in both orders. */
function queries(): DealQuery[] {
  const filters: Omit<DealQuery, 'limit'>[] = [
    {},
    { layoutId: 'b' },
    { pipelineId: 'p' },
    { pipelineId: null },
    { stageId: 'quote' },
    { pipelineId: 'p', stageId: 'quote' },
    { ownerId: 'ann' },
    { ownerId: null },
    { outcome: 'open' },
    { outcome: 'won' },
    { outcome: 'lost' },
    { closingFrom: '2026-03-01', closingTo: '2026-03-31' },
    { closingFrom: '2026-03-31' },
    { closingTo: '2026-03-15' },
    { amountMin: 800, amountMax: 12000 },
    { amountMin: 0 },
    { amountMax: 0 },
    { search: 'FLEET' },
    { search: 'ünï' },
    { search: '%' },
    { search: '_' },
    { search: 'no such name' },
    { rotting: true, rottingBefore: { p: { new: T + 4 * DAY, quote: T + 2 * DAY }, '': { new: T + 8 * DAY } } },
    { rotting: false, rottingBefore: { p: { new: T + 4 * DAY, quote: T + 2 * DAY }, '': { new: T + 8 * DAY } } },
    { rotting: true },
    { ownerId: 'ann', closingFrom: '2026-03-01', closingTo: '2026-04-30', outcome: 'open' },
  ];
  const out: DealQuery[] = filters.map((f) => ({ ...f, limit: 3 }));
  for (const sort of ['id', 'name', 'amount', 'closingDate', 'updatedAt', 'stageEnteredAt'] as const) {
    for (const order of ['asc', 'desc'] as const) {
      out.push({ sort, order, limit: 3 }, { sort, order, ownerId: 'ann', limit: 1 }, { sort, order, layoutId: 'a', limit: 4 });
    }
  }
  return out;
}

async function stored(make: () => Repositories | Promise<Repositories>): Promise<{ repos: Repositories; deals: Deal[] }> {
  const repos = await make();
  const deals = listingDeals();
  await repos.deals.save([...deals].reverse().map((deal) => ({ deal, expectedVersion: null })));
  return { repos, deals };
}

const describeQuery = (q: DealQuery) => `list(${JSON.stringify(q)})`;

/** Deal listings: filters, sorts, keyset cursors, lean deals, bad cursors. */
export const listChecks: readonly ContractCheck[] = [
  {
    name: 'list answers every filter and sort (both orders, nulls last, ties by id) as pageOfDeals does, page by page through its cursors',
    async run(make) {
      const { repos, deals } = await stored(make);
      for (const q of queries()) {
        const first = await repos.deals.list(q);
        const expected = pageOfDeals(deals, checkDealQuery(q));
        ensureEqual(first, expected, `${describeQuery(q)}, the first page`);
        const all = await readAllPages(describeQuery(q), q.limit, async (after) => {
          const page = await repos.deals.list({ ...q, after });
          return { items: page.deals.map((d) => d.id), next: page.next };
        });
        ensureEqual(all, pageOfDeals(deals, checkDealQuery({ ...q, limit: 1000 })).deals.map((d) => d.id), `${describeQuery(q)}, every page`);
      }
    },
  },
  {
    name: 'list hands out lean deals (only the current visit, no change log) unless include asks for history or changes',
    async run(make) {
      const { repos, deals } = await stored(make);
      const byId = new Map(deals.map((d) => [d.id, d]));
      const lean = (await repos.deals.list({ limit: 100 })).deals;
      for (const d of lean) {
        const whole = byId.get(d.id)!;
        ensure(!('changes' in d) || d.changes === undefined, `${d.id} listed without include must have no changes key`);
        ensureEqual(d.history, whole.history.slice(-1), `${d.id} listed without include: its history`);
        const { changes: _c, history: _h, ...rest } = whole;
        const { history: _lh, ...leanRest } = d;
        ensureEqual(leanRest, rest, `${d.id} listed without include: everything but history and changes`);
      }
      ensureEqual((await repos.deals.list({ limit: 100, include: ['history', 'changes'] })).deals, deals, "list with include: ['history', 'changes']");
      const withHistory = (await repos.deals.list({ limit: 100, include: ['history'] })).deals;
      ensureEqual(withHistory.map((d) => [d.history.length, d.changes]), deals.map((d) => [d.history.length, undefined]), "list with include: ['history']: whole histories, no change log");
      const withChanges = (await repos.deals.list({ limit: 100, include: ['changes'] })).deals;
      ensureEqual(withChanges.map((d) => [d.history.length, d.changes]), deals.map((d) => [1, d.changes]), "list with include: ['changes']: the current visit, the change log");
    },
  },
  {
    name: 'list refuses malformed queries and cursors with invalid_input naming the field',
    async run(make) {
      const { repos } = await stored(make);
      const bad: [unknown, string][] = [
        [{ limit: 0 }, 'query.limit'],
        [{ limit: 1.5 }, 'query.limit'],
        [{ limit: 10, sort: 'size' }, 'query.sort'],
        [{ limit: 10, order: 'up' }, 'query.order'],
        [{ limit: 10, outcome: 'maybe' }, 'query.outcome'],
        [{ limit: 10, closingFrom: '2026-02-30' }, 'query.closingFrom'],
        [{ limit: 10, amountMin: Number.NaN }, 'query.amountMin'],
        [{ limit: 10, include: ['everything'] }, 'query.include'],
        [{ limit: 10, after: '~amount.asc.!!!', sort: 'amount' }, 'query.after'],
        [{ limit: 10, after: encodeCursor('amount', 'desc', 5, 'd01'), sort: 'amount' }, 'query.after'],
        [{ limit: 10, after: encodeCursor('name', 'asc', 'x', 'd01') }, 'query.after'],
        [{ limit: 10, after: 'd01', sort: 'updatedAt' }, 'query.after'],
        [{ limit: 10, after: '~amount.asc.WyJ4IiwiZDAxIl0', sort: 'amount' }, 'query.after'],
      ];
      for (const [q, path] of bad) {
        const error = await thrown(repos.deals.list(q as DealQuery));
        ensure(isPipelineError(error, 'invalid_input'), `list(${JSON.stringify(q)}) must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
        ensureEqual((error as { details: { path?: unknown } }).details.path, path, `list(${JSON.stringify(q)}): the error's details.path`);
      }
    },
  },
  {
    name: 'listTails, when offered, answers every filter and sort in the order list does',
    async run(make) {
      const { repos } = await stored(make);
      if (!repos.deals.listTails) return;
      for (const q of queries()) {
        const tails = await repos.deals.listTails(q);
        const page = await repos.deals.list(q);
        ensureEqual([tails.tails.map((t) => t.deal.id), tails.next], [page.deals.map((d) => d.id), page.next], `listTails and list of ${JSON.stringify(q)}`);
      }
    },
  },
];
