import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRepositories, createPipelineService, isPipelineError, type PipelineService, type Repositories } from '../../src/index.js';
import { createPostgresRepositories, type PostgresQueryable } from '../../src/postgres.js';
import { dealerCommands } from '../../examples/dealership.js';
import { steppingClock } from '../service/helpers.js';

import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL, wholeDeals } from './postgresDatabases.js';
import { everyPage } from '../helpers/paging.js';

// Ids that look like SQL, LIKE patterns, quotes and escapes: to the adapter they are just ids.
const IDS = ["'; DROP TABLE sp_deals; --", '%', '_', 'a%b_c', "o'brien", '"quoted"', 'back\\slash', 'plain', 'déjà vu 😀', '$1'];
const STAGES = ['requirements', 'test-drive', 'quote', 'show-models', 'negotiation', 'won', 'lost'];

type Op =
  | { kind: 'create'; id: number; used: boolean; amount: number }
  | { kind: 'move'; id: number; stage: number }
  | { kind: 'update'; id: number; amount: number }
  | { kind: 'close'; id: number; won: boolean }
  | { kind: 'bulk'; ids: number[]; stage: number; atomic: boolean }
  | { kind: 'rename'; name: string }
  | { kind: 'addPipeline' }
  | { kind: 'deletePipeline' };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), id: fc.nat(IDS.length - 1), used: fc.boolean(), amount: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('move' as const), id: fc.nat(IDS.length - 1), stage: fc.nat(STAGES.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), id: fc.nat(IDS.length - 1), amount: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), id: fc.nat(IDS.length - 1), won: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bulk' as const), ids: fc.uniqueArray(fc.nat(IDS.length - 1), { maxLength: 4 }), stage: fc.nat(STAGES.length - 1), atomic: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), name: fc.constantFrom("Used'; --", 'Gebraucht', '%_%') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('addPipeline' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deletePipeline' as const) }) },
);

/** Runs one command; the outcome (a value or an error code) is what the comparison sees. */
async function run(service: PipelineService, op: Op): Promise<unknown> {
  try {
    switch (op.kind) {
      case 'create':
        return await service.createDeal({ id: IDS[op.id]!, layoutId: 'sales', name: `Deal ${op.id}`, amount: op.amount, currency: 'EUR', ...(op.used ? { pipelineId: 'used-cars' } : {}) });
      case 'move':
        return await service.dispatch(IDS[op.id]!, { type: 'moveToStage', stageId: STAGES[op.stage]! });
      case 'update':
        return await service.dispatch(IDS[op.id]!, { type: 'updateDeal', patch: { amount: op.amount, closingDate: '2026-12-31' } });
      case 'close':
        return await service.dispatch(IDS[op.id]!, { type: 'closeDeal', outcome: op.won ? 'won' : 'lost', lostReason: 'Price' });
      case 'bulk':
        return await service.bulkUpdate({ dealIds: op.ids.map((i) => IDS[i]!), change: { type: 'moveToStage', stageId: STAGES[op.stage]! }, mode: op.atomic ? 'atomic' : 'bestEffort' });
      case 'rename':
        return await service.configure({ type: 'renamePipeline', pipelineId: 'used-cars', name: op.name });
      case 'addPipeline':
        return await service.configure({ type: 'createPipeline', layoutId: 'sales', pipelineId: "p'2", name: 'Second', stages: ['requirements', 'quote', 'won', 'lost'] });
      case 'deletePipeline':
        return await service.configure({ type: 'deletePipeline', pipelineId: "p'2", transferTo: { pipelineId: 'new-cars', stageMap: {} } });
    }
  } catch (e) {
    if (isPipelineError(e)) return { error: e.code };
    throw e;
  }
}

async function tenantOn(repos: Repositories): Promise<PipelineService> {
  const service = createPipelineService({ ...repos, clock: steppingClock() });
  for (const command of dealerCommands) await service.configure(command);
  return service;
}

async function pages(repos: Repositories, q: { pipelineId?: string | null; stageId?: string }): Promise<string[][]> {
  return (await everyPage((after) => repos.deals.list({ ...q, after, limit: 3 }))).map((page) => page.deals.map((d) => d.id));
}

function isolation(name: string, db: () => Promise<PostgresQueryable>, numRuns: number) {
  it(`two tenants' commands interleaved on one database give what each gives on a store of its own (${name})`, async () => {
    const client = await db();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ tenant: fc.nat(1), op: arbOp }), { minLength: 1, maxLength: 25 }), async (steps) => {
        const shared = [0, 1].map((i) => createPostgresRepositories(client, { tenantId: freshTenant(i === 0 ? "acme'; DELETE FROM sp_deals; --" : '%_') }));
        const own = [createMemoryRepositories(), createMemoryRepositories()];
        const services = await Promise.all([...shared, ...own].map(tenantOn));
        for (const { tenant, op } of steps) {
          expect(await run(services[tenant]!, op)).toEqual(await run(services[tenant + 2]!, op));
        }
        for (const t of [0, 1]) {
          const [mine, alone] = [shared[t]!, own[t]!];
          expect(await mine.workspace.load()).toEqual(await alone.workspace.load());
          const deals = await wholeDeals(mine);
          expect(deals).toEqual(await wholeDeals(alone));
          for (const q of [{}, { pipelineId: 'used-cars' }, { pipelineId: 'new-cars', stageId: 'requirements' }, { pipelineId: null }]) {
            expect(await pages(mine, q)).toEqual(await pages(alone, q));
          }
          expect(await mine.deals.getMany(IDS)).toEqual(await alone.deals.getMany(IDS));
          const visits = (await mine.visits.list({ limit: 10_000 })).visits;
          expect(visits.map((v) => `${v.dealId}/${v.stageId}/${v.enteredAt}`)).toEqual(deals.flatMap((d) => d.history.map((v) => `${d.id}/${v.stageId}/${v.enteredAt}`)));
          const events = (await mine.outbox.pending(10_000)).map((p) => p.event);
          expect(events.every((e) => !('dealId' in e) || deals.some((d) => d.id === e.dealId))).toBe(true);
        }
      }),
      { numRuns },
    );
  }, 600_000);
}

/** Every table an SQL statement names, with the alias it is named by. */
function tableRefs(sql: string): { table: string; alias: string }[] {
  const refs: { table: string; alias: string }[] = [];
  const re = /\b(FROM|JOIN|UPDATE|INTO|USING)\s+(sp_\w+)(?:\s+(?:AS\s+)?(?!WHERE|SET|ON|USING|ORDER|GROUP|LIMIT|SELECT|VALUES|FOR)([a-z]\w*))?/gi;
  for (const m of sql.matchAll(re)) if (m[2] !== 'sp_schema') refs.push({ table: m[2]!, alias: m[3] ?? m[2]! });
  return refs;
}

describe('tenants', () => {
  const pglite = pgliteDatabase();
  isolation('PGlite', pglite, 12);
  describe.runIf(SERVER_URL)('server', () => isolation('PostgreSQL server', serverDatabase(SERVER_URL ?? ''), 25));

  it('binds the tenant id into every statement it issues, on every table it names', async () => {
    const db = await pglite();
    const statements: { sql: string; params: unknown[] }[] = [];
    const recording: PostgresQueryable = {
      query: (sql, params = []) => {
        statements.push({ sql, params });
        return db.query(sql, params);
      },
    };
    const tenantId = freshTenant("it's");
    const repos = createPostgresRepositories(recording, { tenantId });
    const service = await tenantOn(repos);
    await service.createDeal({ id: 'a', layoutId: 'sales', name: 'A', amount: 5, currency: 'EUR' });
    await service.createDeal({ id: 'b', layoutId: 'sales', name: 'B', pipelineId: 'used-cars' });
    await service.dispatch('a', { type: 'moveToStage', stageId: 'test-drive' });
    await service.bulkUpdate({ query: { pipelineId: 'used-cars' }, change: { type: 'moveToStage', stageId: 'test-drive' }, mode: 'atomic' });
    await service.configure({ type: 'deletePipeline', pipelineId: 'used-cars', transferTo: { pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } } });
    await repos.deals.getMany(['a', 'b']);
    await repos.deals.summarize({ pipelineId: 'new-cars', rottingBefore: { 'test-drive': 0 } });
    await repos.visits.list({ pipelineId: 'new-cars', limit: 1 }).then((p) => repos.visits.list({ after: p.next, limit: 5 }));
    await repos.outbox.markDelivered((await repos.outbox.pending(100)).map((p) => p.seq));
    await repos.deals.save([{ deal: (await repos.deals.get('a'))!, expectedVersion: 1 }]).catch(() => undefined);

    expect(statements.length).toBeGreaterThan(10);
    for (const { sql, params } of statements) {
      if (/^(BEGIN|COMMIT|ROLLBACK)$/.test(sql)) continue; // transaction control of a client without transaction()
      expect(params[0], sql).toBe(tenantId);
      const refs = tableRefs(sql);
      expect(refs.length, sql).toBeGreaterThan(0);
      for (const { table, alias } of refs) {
        const filtered = alias === table ? /(?<![.\w])tenant_id = \$1\b/.test(sql) : new RegExp(`\\b${alias}\\.tenant_id = \\$1\\b`).test(sql);
        // An insert puts $1 in tenant_id, or the tenant of the workspace row it reads filtered by $1.
        const inserted = new RegExp(`INSERT INTO ${table}\\b[^(]*\\(tenant_id,[\\s\\S]*?(VALUES \\(\\$1,|SELECT \\$1,|SELECT w\\.tenant_id,[\\s\\S]*WHERE w\\.tenant_id = \\$1\\b)`).test(sql);
        expect(filtered || inserted, `${table} (${alias}) in: ${sql}`).toBe(true);
      }
    }
  }, 120_000);

  it('has a checker that notices a statement without the tenant filter', () => {
    const refs = tableRefs('SELECT d.body FROM sp_deals d JOIN sp_stage_visits v ON v.deal_id = d.id WHERE d.tenant_id = $1');
    expect(refs).toEqual([{ table: 'sp_deals', alias: 'd' }, { table: 'sp_stage_visits', alias: 'v' }]);
  });
});
