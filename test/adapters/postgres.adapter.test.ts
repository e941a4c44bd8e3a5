import { describe, expect, it } from 'vitest';
import { applyDeal, isPipelineError, PipelineError, type Deal, type DealEvent, type Repositories, type Workspace } from '../../src/index.js';
import { createPostgresRepositories, type PostgresQueryable } from '../../src/postgres.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';
import { everyPage } from '../helpers/paging.js';

const T = Date.parse('2026-01-05T09:00:00Z');
const ws: Workspace = dealerWorkspace();

function create(id: string, patch: Record<string, unknown> = {}): { deal: Deal; events: DealEvent[] } {
  return applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: `Deal ${id}`, amount: 1000, currency: 'EUR', ...patch } }, { at: T });
}

function move(d: Deal, stageId: string, at = d.updatedAt + 60_000): { deal: Deal; events: DealEvent[] } {
  return applyDeal(ws, d, { type: 'moveToStage', stageId }, { at });
}

async function error(promise: Promise<unknown>): Promise<PipelineError> {
  const e = await promise.then(() => null, (err: unknown) => err);
  expect(isPipelineError(e), `expected a PipelineError, got ${String(e)}`).toBe(true);
  return e as PipelineError;
}

function behaviour(name: string, db: () => Promise<PostgresQueryable>) {
  const repos = async (tenantId = freshTenant()) => createPostgresRepositories(await db(), { tenantId });

  async function seeded(): Promise<Repositories & ReturnType<typeof createPostgresRepositories>> {
    const r = await repos();
    await r.workspace.save(ws, 0);
    return r;
  }

  describe(`PostgreSQL adapter on ${name}`, () => {
    it('refuses a deal save made on an older workspace version, writing nothing', async () => {
      const r = await seeded();
      const { deal, events } = create('d1');
      const e = await error(r.deals.save([{ deal, expectedVersion: null }], { workspaceVersion: ws.version - 1, events }));
      expect(e.code).toBe('conflict');
      expect(e.details).toEqual({ ids: [], workspaceVersion: { stored: ws.version, expected: ws.version - 1 } });
      expect(await r.deals.get('d1')).toBeNull();
      expect(await r.outbox.pending(10)).toEqual([]);
      await r.deals.save([{ deal, expectedVersion: null }], { workspaceVersion: ws.version, events });
      expect(await r.deals.get('d1')).toEqual(deal);
    });

    it('stores the events of a save in the outbox, in order, and hands them out until delivered', async () => {
      const r = await seeded();
      const a = create('a');
      const b = create('b');
      await r.deals.save([{ deal: b.deal, expectedVersion: null }, { deal: a.deal, expectedVersion: null }], { events: [...b.events, ...a.events] });
      const moved = move(a.deal, 'test-drive');
      await r.deals.save([{ deal: moved.deal, expectedVersion: 1 }], { events: moved.events });
      await error(r.deals.save([{ deal: moved.deal, expectedVersion: 1 }], { events: moved.events }));
      const pending = await r.outbox.pending(10);
      expect(pending.map((p) => p.event)).toEqual([...b.events, ...a.events, ...moved.events]);
      expect(pending.map((p) => p.seq)).toEqual([...pending.map((p) => p.seq)].sort((x, y) => x - y));
      await r.outbox.markDelivered([pending[0]!.seq, pending[2]!.seq, 987_654_321]);
      expect((await r.outbox.pending(10)).map((p) => p.event.id)).toEqual([a.events[0]!.id]);
      expect(await r.outbox.pending(10)).toHaveLength(1);
    });

    it('stores workspace events with the workspace, and none when the save conflicts', async () => {
      const r = await repos();
      const events = [{ id: 'workspace/1/0', type: 'layoutAdded', version: 1, at: T, by: null } as never];
      await r.workspace.save({ ...ws, version: 1 }, 0, { events });
      await error(r.workspace.save({ ...ws, version: 2 }, 0, { events: [{ id: 'workspace/2/0', type: 'layoutAdded', version: 2, at: T, by: null } as never] }));
      await error(r.workspace.save({ ...ws, version: 2 }, 5));
      expect((await r.outbox.pending(10)).map((p) => p.event.id)).toEqual(['workspace/1/0']);
      expect((await r.workspace.load()).version).toBe(1);
    });

    it('keeps each tenant to itself: the same deal id in two tenants, outboxes apart', async () => {
      const one = await seeded();
      const two = await seeded();
      const a = create('same', { name: 'one' });
      const b = create('same', { name: 'two' });
      await one.deals.save([{ deal: a.deal, expectedVersion: null }], { events: a.events });
      await two.deals.save([{ deal: b.deal, expectedVersion: null }], { events: b.events });
      expect((await one.deals.get('same'))!.name).toBe('one');
      expect((await two.deals.get('same'))!.name).toBe('two');
      expect((await one.outbox.pending(10)).map((p) => p.event)).toEqual(a.events);
      await one.outbox.markDelivered((await two.outbox.pending(10)).map((p) => p.seq));
      expect(await two.outbox.pending(10)).toHaveLength(1);
    });

    it('writes one visit row per stage visit, readable by pipeline and page', async () => {
      const r = await seeded();
      let d = create('v1').deal;
      await r.deals.save([{ deal: d, expectedVersion: null }]);
      for (const stage of ['test-drive', 'requirements', 'test-drive']) {
        const next = move(d, stage).deal;
        await r.deals.save([{ deal: next, expectedVersion: d.version }]);
        d = next;
      }
      const other = create('v0', { pipelineId: 'used-cars' }).deal;
      await r.deals.save([{ deal: other, expectedVersion: null }]);
      const rows = (await everyPage((after) => r.visits.list({ pipelineId: 'new-cars', after, limit: 3 }))).flatMap((page) => page.visits);
      expect(rows).toEqual(d.history.map((v) => ({ dealId: 'v1', layoutId: 'sales', pipelineId: v.pipelineId, stageId: v.stageId, enteredAt: v.enteredAt, exitedAt: v.exitedAt })));
      expect((await r.visits.list({ limit: 100 })).visits.map((v) => v.dealId)).toEqual(['v0', 'v1', 'v1', 'v1', 'v1']);
      expect((await r.visits.list({ pipelineId: null, limit: 100 })).visits).toEqual([]);
    });

    it('stores exactly the history it is given, even a shorter or rewritten one', async () => {
      const r = await seeded();
      const d1 = create('h').deal;
      const d3 = move(move(d1, 'test-drive').deal, 'requirements').deal;
      await r.deals.save([{ deal: d3, expectedVersion: null }]);
      const shorter: Deal = { ...d3, version: 4, history: [d3.history[0]!, { ...d3.history[1]!, exitedAt: null, by: 'rewritten' }], stageId: 'test-drive' };
      await r.deals.save([{ deal: shorter, expectedVersion: 3 }]);
      expect(await r.deals.get('h')).toEqual(shorter);
      const rewritten: Deal = { ...shorter, version: 5, history: [{ ...shorter.history[0]!, amount: 7 }, shorter.history[1]!] };
      await r.deals.save([{ deal: rewritten, expectedVersion: 4 }]);
      expect(await r.deals.get('h')).toEqual(rewritten);
      expect((await r.visits.list({ limit: 10 })).visits).toHaveLength(2);
    });

    it('summarizes a pipeline per stage and currency in SQL', async () => {
      const r = await seeded();
      const deals = [
        create('s1', { amount: 100, currency: 'EUR' }).deal,
        create('s2', { amount: 300, currency: 'EUR' }).deal,
        create('s3', { amount: 50, currency: 'USD' }).deal,
        create('s4', { amount: null, currency: null }).deal,
        move(create('s5', { amount: 1000, currency: 'EUR' }).deal, 'test-drive', T + 10 * 86_400_000).deal,
      ];
      await r.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
      const rows = await r.deals.summarize({ pipelineId: 'new-cars', rottingBefore: { requirements: T + 1, 'test-drive': T } });
      expect(rows).toEqual([
        { stageId: 'requirements', currency: null, count: 1, amount: 0, weighted: 0, rotting: 1 },
        { stageId: 'requirements', currency: 'EUR', count: 2, amount: 400, weighted: 40, rotting: 2 },
        { stageId: 'requirements', currency: 'USD', count: 1, amount: 50, weighted: 5, rotting: 1 },
        { stageId: 'test-drive', currency: 'EUR', count: 1, amount: 1000, weighted: 300, rotting: 0 },
      ]);
    });

    it('refuses U+0000 and lone surrogates with invalid_input, storing nothing', async () => {
      const r = await seeded();
      // The library refuses these at its boundary; a host calling save directly may still hand them over.
      const ok = create('ok').deal;
      const visit = ok.history[0]!;
      for (const bad of [{ ...ok, id: 'nul\u0000' }, { ...ok, name: 'a\u0000b' }, { ...ok, fields: { k: 'lone \ud800' } }, { ...ok, id: 'lone\udc00' }, { ...ok, history: [{ ...visit, by: 'x\udbff' }] }]) {
        const e = await error(r.deals.save([{ deal: bad, expectedVersion: null }]));
        expect(e.code).toBe('invalid_input');
      }
      expect((await r.deals.list({ limit: 10 })).deals).toEqual([]);
      expect(await r.deals.get('ok \\u0000 as text')).toBeNull();
      const fine = create('fine', { name: 'a backslash \\u0000 and a pair 😀' }).deal;
      await r.deals.save([{ deal: fine, expectedVersion: null }]);
      expect(await r.deals.get('fine')).toEqual(fine);
    });

    it('refuses malformed arguments with invalid_input naming the field', async () => {
      const r = await seeded();
      const { deal } = create('m');
      const cases: [Promise<unknown>, string][] = [
        [r.deals.save('nope' as never), 'changes'],
        [r.deals.save([{ deal: { ...deal, amount: '1000' as never }, expectedVersion: null }]), 'changes[0].deal.amount'],
        [r.deals.save([{ deal, expectedVersion: 'x' as never }]), 'changes[0].expectedVersion'],
        [r.deals.save([{ deal, expectedVersion: null }, { deal, expectedVersion: null }]), 'changes'],
        [r.deals.get(42 as never), 'id'],
        [r.deals.getMany('x' as never), 'ids'],
        [r.deals.list({ limit: 0 }), 'query.limit'],
        [r.deals.list({ layoutId: {} as never, limit: 1 }), 'query.layoutId'],
        [r.workspace.save({ version: 'x' } as never, 0), 'ws.version'],
        [r.outbox.pending(-1), 'limit'],
        [r.outbox.markDelivered(['1'] as never), 'seqs'],
        [r.visits.list({ after: 'garbage', limit: 5 }), 'query.after'],
      ];
      for (const [promise, path] of cases) {
        const e = await error(promise);
        expect(e.code).toBe('invalid_input');
        expect(e.details.path).toBe(path);
      }
      expect(await r.deals.get('m')).toBeNull();
    });
  });
}

behaviour('PGlite', pgliteDatabase());
describe.runIf(SERVER_URL)('server', () => behaviour('the PostgreSQL server', serverDatabase(SERVER_URL ?? '')));

describe('driver errors', () => {
  const failing = (error: unknown): PostgresQueryable => ({ query: async () => Promise.reject(error) });
  const { deal } = create('d');
  const dbError = (code: string) => Object.assign(new Error(`driver says ${code}`), { code });

  it('maps deadlocks and serialization failures to conflict, naming the ids', async () => {
    for (const code of ['40P01', '40001']) {
      const e = await error(createPostgresRepositories(failing(dbError(code))).deals.save([{ deal, expectedVersion: null }]));
      expect(e).toMatchObject({ code: 'conflict', details: { ids: ['d'], sqlState: code } });
      expect(e.cause).toBeInstanceOf(Error);
    }
  });

  it('maps text the database cannot store to invalid_input', async () => {
    for (const code of ['22P05', '22021']) {
      const e = await error(createPostgresRepositories(failing(dbError(code))).workspace.save(ws, 0));
      expect(e.code).toBe('invalid_input');
    }
  });

  it('maps any other failure to storage_failed with the driver error as cause', async () => {
    const cause = dbError('53300');
    for (const call of [
      (r: ReturnType<typeof createPostgresRepositories>) => r.deals.get('d'),
      (r: ReturnType<typeof createPostgresRepositories>) => r.deals.list({ limit: 5 }),
      (r: ReturnType<typeof createPostgresRepositories>) => r.workspace.load(),
      (r: ReturnType<typeof createPostgresRepositories>) => r.outbox.pending(5),
    ]) {
      const e = await error(call(createPostgresRepositories(failing(cause))));
      expect(e.code).toBe('storage_failed');
      expect(e.cause).toBe(cause);
    }
    const plain = await error(createPostgresRepositories(failing('connection reset')).deals.get('d'));
    expect(plain).toMatchObject({ code: 'storage_failed', cause: 'connection reset' });
  });
});

describe('validate', () => {
  const pglite = pgliteDatabase();
  it('re-validates rows edited by hand only when asked', async () => {
    const db = await pglite();
    const tenantId = freshTenant();
    const { deal } = create('edited');
    await createPostgresRepositories(db, { tenantId }).deals.save([{ deal, expectedVersion: null }]);
    await db.query(`UPDATE sp_deals SET probability = 150 WHERE tenant_id = $1`, [tenantId]);
    expect((await createPostgresRepositories(db, { tenantId }).deals.get('edited'))!.probability).toBe(150);
    const e = await error(createPostgresRepositories(db, { tenantId, validate: true }).deals.get('edited'));
    expect(e).toMatchObject({ code: 'storage_failed', details: { dealId: 'edited', path: 'probability' } });
  });
});
