import { describe, expect, it } from './vitestApi.js';
import { isPipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { WorkspaceCommandInput } from '../model/commands.js';
import type { StageDef } from '../model/stage.js';
import type { DealRepository, Repositories } from '../ports/repositories.js';
import { applyDeal } from '../deals/apply.js';
import { applyWorkspace, emptyWorkspace } from '../workspace/apply.js';

/**
 * Makes fresh, empty repositories for one check.
 *
 * @example
 * ```ts
 * const make: MakeRepositories = async () => createSqliteRepositories(freshDatabase());
 * ```
 */
export type MakeRepositories = () => Repositories | Promise<Repositories>;

/**
 * One check of the repository contract.
 *
 * @example
 * ```ts
 * for (const check of repositoryContractChecks) await check.run(() => createMemoryRepositories());
 * ```
 */
export interface ContractCheck {
  /** What the check proves, as a sentence. */
  readonly name: string;
  /** Runs the check on fresh repositories from `make`; throws when the adapter fails it. */
  run(make: MakeRepositories): Promise<void>;
}

const T = Date.UTC(2026, 0, 5);
const stages: StageDef[] = [
  { id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' },
  { id: 'quote', name: 'Quote', probability: 60, outcome: 'open', forecastCategory: 'best_case' },
  { id: 'won', name: 'Won', probability: 100, outcome: 'won', forecastCategory: 'closed' },
];

/** A small workspace: layout `a` with pipelines, layout `b` without. */
function fixtureWorkspace(): Workspace {
  let ws = emptyWorkspace();
  for (const command of [
    { type: 'addLayout', layoutId: 'a', name: 'A', stages },
    { type: 'addLayout', layoutId: 'b', name: 'B', stages },
    { type: 'createPipeline', layoutId: 'a', pipelineId: 'p', name: 'P', stages: ['new', 'quote', 'won'], makeDefault: true },
  ] satisfies WorkspaceCommandInput[]) {
    ws = applyWorkspace(ws, command, { at: T }).workspace;
  }
  return ws;
}

const ws = fixtureWorkspace();

function deal(id: string, layoutId = 'a', stageId = 'new', name = `Deal ${id}`): Deal {
  return applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId, stageId, name } }, { at: T }).deal;
}

function next(d: Deal, stageId: string): Deal {
  return applyDeal(ws, d, { type: 'moveToStage', stageId }, { at: d.updatedAt + 1000 }).deal;
}

async function insert(repo: DealRepository, deals: readonly Deal[]): Promise<void> {
  await repo.save(deals.map((d) => ({ deal: d, expectedVersion: null })));
}

async function expectConflict(promise: Promise<unknown>, ids: readonly string[]): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(isPipelineError(error, 'conflict'), `expected a conflict, got ${String(error)}`).toBe(true);
  const named = (error as { details: { ids?: unknown } }).details.ids;
  expect(Array.isArray(named) ? [...(named as string[])].sort() : named).toEqual([...ids].sort());
}

async function listAll(repo: DealRepository, q: { layoutId?: string; pipelineId?: string | null; stageId?: string }, limit: number): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await repo.list({ ...q, after, limit });
    expect(page.deals.length).toBeLessThanOrEqual(limit);
    out.push(...page.deals.map((d) => d.id));
    if (page.next === null) return out;
    after = page.next;
  }
  throw new Error('list never ended');
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `deal-${String(i).padStart(3, '0')}`);

/**
 * Every check of the contract, runnable on their own (the suite wraps each in `it`).
 *
 * @example
 * ```ts
 * repositoryContractChecks.map((c) => c.name); // the sentences describeRepositoryContract runs
 * ```
 */
export const repositoryContractChecks: readonly ContractCheck[] = [
  {
    name: 'a fresh workspace repository loads an empty workspace at version 0',
    async run(make) {
      const repos = await make();
      expect(await repos.workspace.load()).toEqual(emptyWorkspace());
    },
  },
  {
    name: 'workspace saves round-trip and refuse a stale expected version',
    async run(make) {
      const repos = await make();
      await repos.workspace.save(ws, 0);
      expect(await repos.workspace.load()).toEqual(ws);
      const error = await repos.workspace.save({ ...ws, version: ws.version + 1 }, 0).then(() => null, (e: unknown) => e);
      expect(isPipelineError(error, 'conflict')).toBe(true);
      expect(await repos.workspace.load()).toEqual(ws);
    },
  },
  {
    name: 'get returns a saved deal, and null for an unknown id',
    async run(make) {
      const repos = await make();
      const d = deal('x');
      await insert(repos.deals, [d]);
      expect(await repos.deals.get('x')).toEqual(d);
      expect(await repos.deals.get('missing')).toBeNull();
    },
  },
  {
    name: 'getMany returns the deals that exist and skips unknown ids',
    async run(make) {
      const repos = await make();
      await insert(repos.deals, [deal('a1'), deal('a2'), deal('a3')]);
      const found = await repos.deals.getMany(['a3', 'nope', 'a1']);
      expect(found.map((d) => d.id).sort()).toEqual(['a1', 'a3']);
      expect(await repos.deals.getMany([])).toEqual([]);
    },
  },
  {
    name: 'list pages through every deal once, in id order, with no skips or repeats',
    async run(make) {
      const repos = await make();
      const all = ids(23);
      await insert(repos.deals, [...all].reverse().map((id) => deal(id)));
      for (const limit of [1, 4, 23, 50]) expect(await listAll(repos.deals, {}, limit)).toEqual(all);
    },
  },
  {
    name: 'list filters by layout, pipeline (null for none) and stage',
    async run(make) {
      const repos = await make();
      await insert(repos.deals, [deal('a-new'), next(deal('a-quote'), 'quote'), deal('b-new', 'b'), deal('b-won', 'b', 'won')]);
      expect(await listAll(repos.deals, { layoutId: 'a' }, 1)).toEqual(['a-new', 'a-quote']);
      expect(await listAll(repos.deals, { pipelineId: 'p' }, 2)).toEqual(['a-new', 'a-quote']);
      expect(await listAll(repos.deals, { pipelineId: null }, 2)).toEqual(['b-new', 'b-won']);
      expect(await listAll(repos.deals, { stageId: 'new' }, 5)).toEqual(['a-new', 'b-new']);
      expect(await listAll(repos.deals, { layoutId: 'b', stageId: 'won' }, 5)).toEqual(['b-won']);
      expect(await listAll(repos.deals, { pipelineId: 'p', stageId: 'won' }, 5)).toEqual([]);
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
        seen.push(...page.deals.map((d) => d.id));
        after = page.next;
        const newcomer = ids(12).filter((_, i) => i % 2 === 1)[inserted++];
        if (newcomer) await insert(repos.deals, [deal(newcomer)]);
      } while (after !== null);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of start) expect(seen).toContain(id);
      expect([...seen].sort()).toEqual(seen);
    },
  },
  {
    name: 'save refuses a deal that exists when expectedVersion is null, and a stale version, naming the ids',
    async run(make) {
      const repos = await make();
      const d = deal('x');
      await insert(repos.deals, [d]);
      await expectConflict(insert(repos.deals, [deal('x')]), ['x']);
      const moved = next(d, 'quote');
      await repos.deals.save([{ deal: moved, expectedVersion: 1 }]);
      await expectConflict(repos.deals.save([{ deal: next(d, 'won'), expectedVersion: 1 }]), ['x']);
      await expectConflict(repos.deals.save([{ deal: deal('y'), expectedVersion: 1 }]), ['y']);
      expect(await repos.deals.get('x')).toEqual(moved);
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
      ]), ['b']);
      expect(await repos.deals.get('a')).toEqual(a);
      expect(await repos.deals.get('c')).toBeNull();
      expect((await repos.deals.get('b'))!.stageId).toBe('quote');
    },
  },
  {
    name: 'returned objects are copies, never aliases of stored state',
    async run(make) {
      const repos = await make();
      const d = deal('x');
      await insert(repos.deals, [d]);
      const snapshot = structuredClone(d);
      d.name = 'changed after save';
      d.history.push({ ...d.history[0]! });
      const got = (await repos.deals.get('x'))!;
      expect(got).toEqual(snapshot);
      got.name = 'changed after get';
      got.fields.extra = 1;
      expect(await repos.deals.get('x')).toEqual(snapshot);
      const [many] = await repos.deals.getMany(['x']);
      many!.history.length = 0;
      const { deals: [listed] } = await repos.deals.list({ limit: 1 });
      expect(listed).toEqual(snapshot);
      const loaded = await repos.workspace.load();
      loaded.layouts.push(...ws.layouts);
      expect(await repos.workspace.load()).toEqual(emptyWorkspace());
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
      expect(await repos.deals.get('ünï-😀')).toEqual(d);
      expect((await repos.deals.list({ limit: 5 })).deals).toEqual([d]);
    },
  },
];

/**
 * The repository contract as a vitest suite. A host runs it against its own adapter; each check
 * gets fresh, empty repositories from `makeRepositories`.
 *
 * @param name - the adapter's name, shown in the suite title
 * @param makeRepositories - makes empty repositories (may be async: create tables, truncate, …)
 * @example
 * ```ts
 * // test/myAdapter.test.ts
 * import { describeRepositoryContract } from 'sales-pipelines/testing';
 * describeRepositoryContract('postgres', async () => createPostgresRepositories(await freshDatabase()));
 * ```
 */
export function describeRepositoryContract(name: string, makeRepositories: MakeRepositories): void {
  describe(`repository contract: ${name}`, () => {
    for (const check of repositoryContractChecks) {
      it(check.name, () => check.run(makeRepositories));
    }
  });
}
