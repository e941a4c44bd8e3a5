import { isPipelineError } from '../../errors.js';
import { applyDeal } from '../../deals/apply.js';
import { emptyWorkspace } from '../../workspace/apply.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { deal, expectConflict, ids, insert, listAll, next, T, tryWrite, ws, type ContractCheck } from './fixtures.js';

/** Reads, paging, conflicts and all-or-nothing saves. */
export const basicChecks: readonly ContractCheck[] = [
  {
    name: 'a fresh workspace repository loads an empty workspace at version 0',
    async run(make) {
      const repos = await make();
      ensureEqual(await repos.workspace.load(), emptyWorkspace(), 'the workspace of a fresh store');
    },
  },
  {
    name: 'workspace saves round-trip and refuse a stale expected version',
    async run(make) {
      const repos = await make();
      await repos.workspace.save(ws, 0);
      ensureEqual(await repos.workspace.load(), ws, 'the workspace loaded after a save');
      const error = await thrown(repos.workspace.save({ ...ws, version: ws.version + 1 }, 0));
      ensure(isPipelineError(error, 'conflict'), `a workspace save with a stale expected version must fail with 'conflict', got ${String(error)}`);
      ensureEqual(await repos.workspace.load(), ws, 'the workspace after a refused save');
    },
  },
  {
    name: 'get returns a saved deal, and null for an unknown id',
    async run(make) {
      const repos = await make();
      const d = deal('x');
      await insert(repos.deals, [d]);
      ensureEqual(await repos.deals.get('x'), d, 'get(x) after saving x');
      ensure((await repos.deals.get('missing')) === null, 'get of an unknown id must return null');
    },
  },
  {
    name: 'getMany returns the deals that exist and skips unknown ids',
    async run(make) {
      const repos = await make();
      await insert(repos.deals, [deal('a1'), deal('a2'), deal('a3')]);
      const found = await repos.deals.getMany(['a3', 'nope', 'a1']);
      ensureEqual(found.map((d) => d.id).sort(), ['a1', 'a3'], "the ids getMany(['a3', 'nope', 'a1']) returned");
      ensureEqual(await repos.deals.getMany([]), [], 'getMany([])');
    },
  },
  {
    name: 'list pages through every deal once, in id order, with no skips or repeats',
    async run(make) {
      const repos = await make();
      const all = ids(23);
      await insert(repos.deals, [...all].reverse().map((id) => deal(id)));
      for (const limit of [1, 4, 23, 50]) ensureEqual(await listAll(repos.deals, {}, limit), all, `the ids listed with limit ${limit}`);
    },
  },
  {
    name: 'list filters by layout, pipeline (null for none) and stage',
    async run(make) {
      const repos = await make();
      await insert(repos.deals, [deal('a-new'), next(deal('a-quote'), 'quote'), deal('b-new', 'b'), deal('b-won', 'b', 'won')]);
      ensureEqual(await listAll(repos.deals, { layoutId: 'a' }, 1), ['a-new', 'a-quote'], 'list({ layoutId: a })');
      ensureEqual(await listAll(repos.deals, { pipelineId: 'p' }, 2), ['a-new', 'a-quote'], 'list({ pipelineId: p })');
      ensureEqual(await listAll(repos.deals, { pipelineId: null }, 2), ['b-new', 'b-won'], 'list({ pipelineId: null })');
      ensureEqual(await listAll(repos.deals, { stageId: 'new' }, 5), ['a-new', 'b-new'], 'list({ stageId: new })');
      ensureEqual(await listAll(repos.deals, { layoutId: 'b', stageId: 'won' }, 5), ['b-won'], 'list({ layoutId: b, stageId: won })');
      ensureEqual(await listAll(repos.deals, { pipelineId: 'p', stageId: 'won' }, 5), [], 'list({ pipelineId: p, stageId: won })');
    },
  },
  {
    name: 'list paging is stable under concurrent inserts: no repeats, nothing present at the start is skipped',
    async run(make) {
      const repos = await make();
      const start = ids(12).filter((_, i) => i % 2 === 0);
      await insert(repos.deals, start.map((id) => deal(id)));
      const seen: string[] = [];
      let after: string | null = null;
      let inserted = 0;
      do {
        const page = await repos.deals.list({ after, limit: 2 });
        for (const d of page.deals) seen.push(d.id);
        after = page.next;
        const newcomer = ids(12).filter((_, i) => i % 2 === 1)[inserted++];
        if (newcomer) await insert(repos.deals, [deal(newcomer)]);
      } while (after !== null);
      ensure(new Set(seen).size === seen.length, `list repeated a deal while deals were inserted: ${seen.join(', ')}`);
      for (const id of start) ensure(seen.includes(id), `list skipped ${id}, which existed when paging began`);
      ensureEqual(seen, [...seen].sort(), 'the order of listed ids');
    },
  },
  {
    name: 'save refuses a deal that exists when expectedVersion is null, and a stale version, naming the ids',
    async run(make) {
      const repos = await make();
      const d = deal('x');
      await insert(repos.deals, [d]);
      await expectConflict(insert(repos.deals, [deal('x')]), ['x'], 'inserting a deal that exists');
      const moved = next(d, 'quote');
      await repos.deals.save([{ deal: moved, expectedVersion: 1 }]);
      await expectConflict(repos.deals.save([{ deal: next(d, 'won'), expectedVersion: 1 }]), ['x'], 'saving with a stale version');
      await expectConflict(repos.deals.save([{ deal: deal('y'), expectedVersion: 1 }]), ['y'], 'updating a deal that does not exist');
      ensureEqual(await repos.deals.get('x'), moved, 'the deal after refused saves');
    },
  },
  {
    name: 'save is all or nothing: a conflict on one deal writes none',
    async run(make) {
      const repos = await make();
      const a = deal('a');
      const b = deal('b');
      await insert(repos.deals, [a, b]);
      await repos.deals.save([{ deal: next(b, 'quote'), expectedVersion: 1 }]);
      await expectConflict(repos.deals.save([
        { deal: next(a, 'quote'), expectedVersion: 1 },
        { deal: next(b, 'won'), expectedVersion: 1 },
        { deal: deal('c'), expectedVersion: null },
      ]), ['b'], 'a save in which one deal is stale');
      ensureEqual(await repos.deals.get('a'), a, 'deal a after a refused save');
      ensure((await repos.deals.get('c')) === null, 'deal c must not exist after a refused save');
      ensure((await repos.deals.get('b'))!.stageId === 'quote', 'deal b must keep its stored stage after a refused save');
    },
  },
  {
    name: 'a host cannot change stored state through an object it saved or got back (copies or frozen objects)',
    async run(make) {
      const repos = await make();
      const d = deal('x');
      const snapshot = structuredClone(d);
      await insert(repos.deals, [d]);
      tryWrite(() => (d.name = 'changed after save'));
      tryWrite(() => d.history.push({ ...d.history[0]! }));
      const got = (await repos.deals.get('x'))!;
      ensureEqual(got, snapshot, 'the stored deal after writing to the saved object');
      tryWrite(() => (got.name = 'changed after get'));
      tryWrite(() => (got.fields.extra = 1));
      ensureEqual(await repos.deals.get('x'), snapshot, 'the stored deal after writing to an object get returned');
      const [many] = await repos.deals.getMany(['x']);
      tryWrite(() => (many!.history.length = 0));
      const { deals: [listed] } = await repos.deals.list({ limit: 1, include: ['history', 'changes'] });
      ensureEqual(listed, snapshot, 'the stored deal after writing to an object getMany returned');
      const loaded = await repos.workspace.load();
      tryWrite(() => loaded.layouts.push(...ws.layouts));
      ensureEqual(await repos.workspace.load(), emptyWorkspace(), 'the stored workspace after writing to a loaded one');
    },
  },
  {
    name: 'deals with long histories, unicode names and nested fields round-trip exactly',
    async run(make) {
      const repos = await make();
      let d = applyDeal(ws, null, {
        type: 'createDeal',
        deal: { id: 'ünï-😀', layoutId: 'a', name: 'Café ☕ 東京 — e\u0301 🚗💨', amount: 1234.5, currency: 'EUR', closingDate: '2026-12-31', fields: { nested: { list: [1, 'two', null, { deep: true }] }, emoji: '🎉' } },
      }, { at: T }).deal;
      for (let i = 0; i < 300; i++) d = next(d, i % 2 === 0 ? 'quote' : 'new');
      await insert(repos.deals, [d]);
      ensureEqual(await repos.deals.get('ünï-😀'), d, 'a deal with 301 visits and unicode text');
      ensureEqual((await repos.deals.list({ limit: 5, include: ['history', 'changes'] })).deals, [d], "list of that deal with include: ['history', 'changes']");
    },
  },
];
