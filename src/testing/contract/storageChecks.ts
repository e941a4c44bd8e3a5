import { isPipelineError } from '../../errors.js';
import { applyDeal } from '../../deals/apply.js';
import { applyWorkspace } from '../../workspace/apply.js';
import type { Deal } from '../../model/deal.js';
import { dwellStats } from '../../metrics/dwellStats.js';
import { conversionFunnel, funnelPlan } from '../../metrics/conversionFunnel.js';
import type { DealTimeline, Repositories, VisitRow } from '../../ports/repositories.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { deal, insert, next, readAllPages, T, ws, type ContractCheck } from './fixtures.js';

/** Ids and text a store must keep exactly: quotes, SQL, LIKE wildcards, backslashes, unicode, array-literal syntax, control characters. */
export const AWKWARD_IDS = ["o'brien", "'; DROP TABLE sp_deals; --", '100%', 'a_b', 'back\\slash', '"quoted"', 'tab\there', '東京', '😀', 'toString', 'hasOwnProperty', 'NULL', '{a,b}', ' padded ', 'line\nbreak'];

/** Every visit of the deals, as the rows a visits table holds, sorted by deal then position. */
export function visitRows(deals: readonly Deal[]): VisitRow[] {
  return [...deals]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap((d) => d.history.map((v) => ({ dealId: d.id, layoutId: d.layoutId, pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt })));
}

async function allVisits(repos: Repositories, q: { pipelineId?: string | null; layoutId?: string }, limit: number): Promise<VisitRow[]> {
  const rows = await readAllPages('visits.list', limit, async (after) => {
    const page = await repos.visits!.list({ ...q, after, limit });
    return { items: page.visits, next: page.next };
  });
  return rows.map((v) => ({ dealId: v.dealId, layoutId: v.layoutId, pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt }));
}

const moved = (d: Deal, stageId: string, at: number) => applyDeal(ws, d, { type: 'moveToStage', stageId }, { at });

/** Odd and even visit counts per stage, equal durations, a stage left after 1 ms, revisits, open visits, won deals, deals of no pipeline. */
function movedDeals(): Deal[] {
  const deals: Deal[] = [];
  for (let i = 0; i < 7; i++) {
    let d = deal(`d${i}`);
    const steps = i % 3 === 0 ? ['quote', 'new', 'quote'] : i % 3 === 1 ? ['quote'] : ['won'];
    let at = T;
    for (const [k, stageId] of steps.entries()) {
      at += i === 4 && k === 0 ? 1 : 3_600_000 * (1 + ((i * 7 + k * 3) % 5)) + i * 61_000;
      d = moved(d, stageId, at).deal;
    }
    deals.push(d);
  }
  deals.push(deal('n0', 'b'), moved(deal('n1', 'b'), 'quote', T + 86_400_000).deal);
  return deals;
}

/** What `deals.timelines` gives of a stored deal, with its visits begun before `before`. */
export function timelineOf(d: Deal, before = Infinity): DealTimeline {
  return {
    id: d.id,
    currency: d.currency,
    history: d.history.filter((v) => v.enteredAt < before).map((v) => ({ pipelineId: v.pipelineId, enteredAt: v.enteredAt, outcome: v.outcome, amount: v.amount, closingDate: v.closingDate })),
    changes: (d.changes ?? []).filter((c) => c.field === 'amount' || c.field === 'closingDate' || c.field === 'currency'),
  };
}

/** The workspace-version check, the outbox, visits, summaries and awkward strings. */
export const storageChecks: readonly ContractCheck[] = [
  {
    name: 'a deal save made on an older workspace version is refused with conflict and writes nothing',
    async run(make) {
      const repos = await make();
      await repos.workspace.save(ws, 0);
      const d = deal('x');
      await repos.deals.save([{ deal: d, expectedVersion: null }], { workspaceVersion: ws.version });
      const newer = applyWorkspace(ws, { type: 'renamePipeline', pipelineId: 'p', name: 'P2' }, { at: T }).workspace;
      await repos.workspace.save(newer, ws.version);
      const error = await thrown(repos.deals.save([{ deal: next(d, 'quote'), expectedVersion: 1 }, { deal: deal('y'), expectedVersion: null }], { workspaceVersion: ws.version }));
      ensure(isPipelineError(error, 'conflict'), `a deal save checked against workspace version ${ws.version} after the workspace moved to ${newer.version} must fail with 'conflict', got ${error === null ? 'success' : String(error)}`);
      ensureEqual(await repos.deals.get('x'), d, 'deal x after a save refused for its workspace version');
      ensure((await repos.deals.get('y')) === null, 'deal y must not exist after a save refused for its workspace version');
      await repos.deals.save([{ deal: next(d, 'quote'), expectedVersion: 1 }], { workspaceVersion: newer.version });
      ensure((await repos.deals.get('x'))!.stageId === 'quote', 'a deal save checked against the current workspace version must be accepted');
    },
  },
  {
    name: 'the outbox holds the events of each save in commit order until they are marked delivered; a refused save stores none',
    async run(make) {
      const repos = await make();
      if (!repos.outbox) return; // optional port: the service publishes without it
      const w = applyWorkspace(repos.workspace ? await repos.workspace.load() : ws, { type: 'addLayout', layoutId: 'z', name: 'Z', stages: [{ id: 's', name: 'S', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: T });
      await repos.workspace.save(w.workspace, 0, { events: w.events });
      const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'x', layoutId: 'a', name: 'X' } }, { at: T });
      await repos.deals.save([{ deal: created.deal, expectedVersion: null }], { events: created.events });
      const stale = moved(created.deal, 'quote', T + 1);
      await thrown(repos.deals.save([{ deal: stale.deal, expectedVersion: 7 }], { events: stale.events }));
      const second = moved(created.deal, 'won', T + 2);
      await repos.deals.save([{ deal: second.deal, expectedVersion: 1 }], { events: second.events });
      const pending = await repos.outbox.pending(10);
      ensureEqual(pending.map((p) => p.event.id), [...w.events, ...created.events, ...second.events].map((e) => e.id), 'the ids of the pending events');
      ensureEqual(pending.map((p) => p.event), [...w.events, ...created.events, ...second.events], 'the pending events');
      ensure(pending.every((p, i) => i === 0 || p.seq > pending[i - 1]!.seq), 'outbox seq numbers must rise in commit order');
      ensureEqual((await repos.outbox.pending(1)).map((p) => p.seq), [pending[0]!.seq], 'pending(1)');
      await repos.outbox.markDelivered([pending[0]!.seq, pending[1]!.seq]);
      ensureEqual((await repos.outbox.pending(10)).map((p) => p.seq), [pending[2]!.seq], 'the pending seqs after two were marked delivered');
      await repos.outbox.markDelivered([pending[2]!.seq, 987_654_321]);
      ensureEqual(await repos.outbox.pending(10), [], 'the pending events after all were marked delivered');
    },
  },
  {
    name: 'visits.list returns every stage visit of the stored deals, paged by deal and position, filtered by pipeline and layout',
    async run(make) {
      const repos = await make();
      if (!repos.visits) return; // optional port: metrics then read the deals
      const a = moved(moved(deal('a'), 'quote', T + 1000).deal, 'new', T + 2000).deal;
      const b = moved(deal('b'), 'won', T + 3000).deal;
      const c = deal('c', 'b');
      await insert(repos.deals, [c, b, a]);
      const expected = visitRows([a, b, c]);
      for (const limit of [1, 2, 100]) ensureEqual(await allVisits(repos, {}, limit), expected, `the visits listed with limit ${limit}`);
      ensureEqual(await allVisits(repos, { pipelineId: 'p' }, 2), expected.filter((v) => v.pipelineId === 'p'), 'the visits of pipeline p');
      ensureEqual(await allVisits(repos, { pipelineId: null }, 2), expected.filter((v) => v.pipelineId === null), 'the visits of no pipeline');
      ensureEqual(await allVisits(repos, { layoutId: 'b' }, 2), expected.filter((v) => v.layoutId === 'b'), 'the visits of layout b');
    },
  },
  {
    name: 'visits.dwell, when offered, gives the rows dwellStats gives over the same deals, with and without includeOpen and pipelineId',
    async run(make) {
      const repos = await make();
      const dwell = repos.visits?.dwell?.bind(repos.visits);
      if (!dwell) return; // optional: the service then counts visits itself
      const deals = movedDeals();
      await insert(repos.deals, deals);
      const now = T + 30 * 86_400_000 + 17;
      for (const opts of [{}, { includeOpen: true }, { pipelineId: 'p' }, { pipelineId: 'p', includeOpen: true }, { pipelineId: 'none' }]) {
        ensureEqual(await dwell({ now, ...opts }), dwellStats(deals, { now, ...opts }), `visits.dwell(${JSON.stringify(opts)}) against dwellStats`);
      }
      const error = await thrown(dwell({ now: 'soon' as never }));
      ensure(isPipelineError(error, 'invalid_input'), `visits.dwell with a malformed now must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
    },
  },
  {
    name: 'visits.funnel, when offered, counts what conversionFunnel counts over the same deals, with and without a period',
    async run(make) {
      const repos = await make();
      const funnel = repos.visits?.funnel?.bind(repos.visits);
      if (!funnel) return; // optional: the service then counts visit rows or deals itself
      const deals = movedDeals();
      await insert(repos.deals, deals);
      for (const opts of [{ pipelineId: 'p' }, { pipelineId: 'p', from: T, to: T + 3 * 3_600_000 }, { pipelineId: 'p', from: T + 1, to: T + 86_400_000 }]) {
        const plan = funnelPlan(ws, opts)!;
        ensureEqual(plan.result(await funnel(plan.query)), conversionFunnel(ws, deals, opts), `the funnel of visits.funnel(${JSON.stringify(plan.query)}) against conversionFunnel`);
      }
      const error = await thrown(funnel({ pipelineId: 'p', stages: [{ stageId: 'new', rank: 0, bit: 3 }] }));
      ensure(isPipelineError(error, 'invalid_input'), `visits.funnel with a bit that is not a power of two must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
    },
  },
  {
    name: 'deals.timelines, when offered, gives every stored deal as a timeline in id order, page after page, cut at before',
    async run(make) {
      const repos = await make();
      const timelines = repos.deals.timelines?.bind(repos.deals);
      if (!timelines) return; // optional: the waterfall then reads whole deals
      const priced = (d: Deal, at: number) => applyDeal(ws, d, { type: 'updateDeal', patch: { amount: 900, currency: 'EUR', closingDate: '2026-03-31', ownerId: 'ann' } }, { at }).deal;
      const deals = movedDeals().map((d, i) => (i % 2 === 0 ? priced(d, d.updatedAt + 1000) : d));
      await insert(repos.deals, deals);
      const byId = [...deals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const limit of [1, 3, 100]) {
        const pages = await readAllPages('deals.timelines', limit, async (after) => {
          const page = await timelines({ limit, after });
          return { items: page.deals, next: page.next };
        });
        ensureEqual(pages, byId.map((d) => timelineOf(d)), `the timelines listed with limit ${limit}`);
      }
      const before = T + 3 * 3_600_000;
      ensureEqual((await timelines({ limit: 100, before })).deals, byId.map((d) => timelineOf(d, before)), 'the timelines with visits begun before `before`');
      const error = await thrown(timelines({ limit: 0 }));
      ensure(isPipelineError(error, 'invalid_input'), `deals.timelines with limit 0 must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
    },
  },
  {
    name: 'summarize gives per stage and currency the count, amount, weighted amount and rotting deals of a pipeline',
    async run(make) {
      const repos = await make();
      if (!repos.deals.summarize) return; // optional: boards then page through list
      const mk = (id: string, amount: number | null, currency: string | null) =>
        applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'a', name: id, amount, currency } }, { at: T }).deal;
      const d1 = mk('d1', 1000, 'EUR');
      const d2 = moved(mk('d2', 500, 'EUR'), 'quote', T + 5000).deal;
      const d3 = mk('d3', 200, 'USD');
      const d4 = mk('d4', null, null);
      await insert(repos.deals, [d1, d2, d3, d4, deal('other', 'b')]);
      const rows = await repos.deals.summarize({ pipelineId: 'p', rottingBefore: { new: T + 1, quote: T + 1 } });
      const key = (r: { stageId: string; currency: string | null }) => `${r.stageId}/${r.currency ?? '-'}`;
      const got = [...rows].sort((x, y) => (key(x) < key(y) ? -1 : 1)).map((r) => ({ ...r, weighted: Math.round(r.weighted * 1e6) / 1e6 }));
      ensureEqual(got, [
        { stageId: 'new', currency: null, count: 1, amount: 0, weighted: 0, rotting: 1 },
        { stageId: 'new', currency: 'EUR', count: 1, amount: 1000, weighted: 100, rotting: 1 },
        { stageId: 'new', currency: 'USD', count: 1, amount: 200, weighted: 20, rotting: 1 },
        { stageId: 'quote', currency: 'EUR', count: 1, amount: 500, weighted: 300, rotting: 0 },
      ], 'summarize({ pipelineId: p })');
    },
  },
  {
    name: 'ids and text that look like SQL, LIKE patterns, quotes or backslashes are just ids and text',
    async run(make) {
      const repos = await make();
      const deals = AWKWARD_IDS.map((id) => applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'a', name: `${id} ${id}`, fields: { [id]: id } } }, { at: T }).deal);
      await insert(repos.deals, deals);
      for (const d of deals) ensureEqual(await repos.deals.get(d.id), d, `get(${JSON.stringify(d.id)})`);
      ensure((await repos.deals.get('%')) === null && (await repos.deals.get('a%')) === null && (await repos.deals.get('a_c')) === null, 'get must match ids exactly, never as patterns');
      const listed = (await repos.deals.list({ limit: 100 })).deals.map((d) => d.id);
      ensureEqual(listed, [...AWKWARD_IDS].sort(), 'the ids listed');
      ensureEqual((await repos.deals.getMany(['a_b', 'a%b'])).map((d) => d.id), ['a_b'], "getMany(['a_b', 'a%b'])");
    },
  },
];
