import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, isPipelineError, type Deal, type StageVisit, type Workspace } from '../../src/index.js';
import { createPostgresRepositories, type PostgresQueryable } from '../../src/postgres.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const T = Date.parse('2026-01-05T09:00:00Z');
const ws: Workspace = dealerWorkspace();

const create = (id: string): Deal => applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'sales', name: `Deal ${id}`, amount: 1000, currency: 'EUR' } }, { at: T }).deal;
const move = (d: Deal, stageId: string): Deal => applyDeal(ws, d, { type: 'moveToStage', stageId }, { at: d.updatedAt + 60_000 }).deal;

/** Every stored visit row of a deal, read from the visits table itself. */
async function storedRows(db: PostgresQueryable, tenantId: string, id: string) {
  const { rows } = await db.query<{ seq: number; layout_id: string; stage_id: string; exited_at: string | number | null; by: string | null; amount: number | null }>(
    'SELECT seq, layout_id, stage_id, exited_at, "by", amount FROM sp_stage_visits WHERE tenant_id = $1 AND deal_id = $2 ORDER BY seq', [tenantId, id]);
  return rows.map((r) => ({ seq: r.seq, layoutId: r.layout_id, stageId: r.stage_id, exitedAt: r.exited_at === null ? null : Number(r.exited_at), by: r.by, amount: r.amount }));
}

const expectedRows = (d: Deal) => d.history.map((v, seq) => ({ seq, layoutId: d.layoutId, stageId: v.stageId, exitedAt: v.exitedAt, by: v.by, amount: v.amount }));

function suite(name: string, db: () => Promise<PostgresQueryable>) {
  describe(`deal saves after reads on ${name}`, () => {
    async function stored(...deals: Deal[]) {
      const tenantId = freshTenant('save');
      const repos = createPostgresRepositories(await db(), { tenantId });
      await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
      return { repos, tenantId };
    }

    it('hands out deals whose visits are frozen', async () => {
      const { repos } = await stored(move(create('f'), 'test-drive'));
      const got = (await repos.deals.get('f'))!;
      expect(got.history.every((v) => Object.isFrozen(v))).toBe(true);
      expect((await repos.deals.list({ limit: 5 })).deals[0]!.history.every((v) => Object.isFrozen(v))).toBe(true);
    });

    it('stores a move of a deal it read: the closed visit and the new one, every other row as it was', async () => {
      const { repos, tenantId } = await stored(move(create('m'), 'test-drive'));
      const read = (await repos.deals.get('m'))!;
      const moved = move(read, 'quote');
      await repos.deals.save([{ deal: moved, expectedVersion: read.version }]);
      expect(await repos.deals.get('m')).toEqual(moved);
      expect(await storedRows(await db(), tenantId, 'm')).toEqual(expectedRows(moved));
    });

    it('stores a shorter or rewritten history of a deal it read exactly', async () => {
      const { repos, tenantId } = await stored(move(move(create('s'), 'test-drive'), 'requirements'));
      const read = (await repos.deals.get('s'))!;
      const shorter: Deal = { ...read, version: read.version + 1, stageId: 'test-drive', history: [{ ...read.history[0]!, amount: 7, by: 'rewritten' }, { ...read.history[1]!, exitedAt: null }] };
      await repos.deals.save([{ deal: shorter, expectedVersion: read.version }]);
      expect(await repos.deals.get('s')).toEqual(shorter);
      expect(await storedRows(await db(), tenantId, 's')).toEqual(expectedRows(shorter));
    });

    it('rewrites every visit row of a deal it read when the deal changes layout', async () => {
      const { repos, tenantId } = await stored(move(create('l'), 'test-drive'));
      const read = (await repos.deals.get('l'))!;
      const relaid: Deal = { ...read, version: read.version + 1, layoutId: 'service' };
      await repos.deals.save([{ deal: relaid, expectedVersion: read.version }]);
      expect(await storedRows(await db(), tenantId, 'l')).toEqual(expectedRows(relaid));
    });

    it('refuses a save over a read that another save overtook, writing nothing', async () => {
      const { repos, tenantId } = await stored(create('c'));
      const read = (await repos.deals.get('c'))!;
      const other = createPostgresRepositories(await db(), { tenantId });
      const theirs = move((await other.deals.get('c'))!, 'test-drive');
      await other.deals.save([{ deal: theirs, expectedVersion: read.version }]);
      const error = await repos.deals.save([{ deal: move(read, 'test-drive'), expectedVersion: read.version }]).then(() => null, (e: unknown) => e);
      expect(isPipelineError(error, 'conflict')).toBe(true);
      expect(await repos.deals.get('c')).toEqual(theirs);
      expect(await storedRows(await db(), tenantId, 'c')).toEqual(expectedRows(theirs));
    });

    it('stores whatever history follows a read, for any edits of read, new and changed visits', async () => {
      const edit = fc.record({
        keep: fc.integer({ min: 0, max: 4 }),
        change: fc.array(fc.record({ at: fc.nat(), field: fc.constantFrom('exitedAt', 'by', 'amount', 'stageId') }), { maxLength: 3 }),
        add: fc.integer({ min: 0, max: 2 }),
        expected: fc.constantFrom('read', 'other'),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
          const { repos, tenantId } = await stored(move(move(create('p'), 'test-drive'), 'requirements'));
          for (const e of edits) {
            const read = (await repos.deals.get('p'))!;
            const history: StageVisit[] = read.history.slice(0, Math.max(1, Math.min(e.keep + 1, read.history.length)));
            for (const c of e.change) {
              const i = c.at % history.length;
              const v = history[i]!;
              history[i] = c.field === 'exitedAt' ? { ...v, exitedAt: v.exitedAt === null ? v.enteredAt + 5 : null }
                : c.field === 'by' ? { ...v, by: `${v.by ?? ''}x` }
                : c.field === 'amount' ? { ...v, amount: (v.amount ?? 0) + 1 }
                : { ...v, stageId: v.stageId === 'quote' ? 'test-drive' : 'quote' };
            }
            for (let k = 0; k < e.add; k++) history.push({ ...history[history.length - 1]!, enteredAt: T + 10_000 * (history.length + k), exitedAt: null, stageId: 'negotiation' });
            const next: Deal = { ...read, version: read.version + 1, history };
            // Saved over the version read (rows known) or, from a copy, as a stranger would (every row sent).
            const deal = e.expected === 'read' ? next : (JSON.parse(JSON.stringify(next)) as Deal);
            await repos.deals.save([{ deal, expectedVersion: read.version }]);
            expect(await repos.deals.get('p')).toEqual(next);
            expect(await storedRows(await db(), tenantId, 'p')).toEqual(expectedRows(next));
          }
        }),
        { numRuns: 25 },
      );
    });
  });
}

suite('PGlite', pgliteDatabase());
describe.runIf(SERVER_URL)('server', () => suite('the PostgreSQL server', serverDatabase(SERVER_URL ?? '')));
