import { applyDeal } from '../../deals/apply.js';
import { applyWorkspace, emptyWorkspace } from '../../workspace/apply.js';
import type { Repositories } from '../../ports/repositories.js';
import { ensure, ensureEqual } from './assert.js';
import { AWKWARD_IDS, visitRows } from './storageChecks.js';
import { fixtureWorkspace, T, ws } from './fixtures.js';

/**
 * Repositories of one tenant of a shared store; a new tenant id gives an empty tenant.
 *
 * @example
 * ```ts
 * const makeTenant: MakeTenant = (tenantId) => createSqliteRepositories(db, { tenantId });
 * ```
 * @category Test kit
 */
export type MakeTenant = (tenantId: string) => Repositories | Promise<Repositories>;

/**
 * One tenant-isolation check.
 *
 * @example
 * ```ts
 * for (const check of tenantIsolationChecks) await check.run((tenantId) => createSqliteRepositories(db, { tenantId }));
 * ```
 * @category Test kit
 */
export interface TenantCheck {
  /** What the check proves, as a sentence. */
  readonly name: string;
  /** Runs the check on fresh tenants from `makeTenant`; throws when the adapter fails it. */
  run(makeTenant: MakeTenant): Promise<void>;
}

let counter = 0;
const freshTenantIds = (): [string, string] => {
  counter++;
  const salt = `${Date.now().toString(36)}-${counter}`;
  return [`tenant-a-${salt}`, `tenant-b'; DROP TABLE sp_deals; --%_${salt}`];
};

/** Two tenants of one store, the same deal ids in both: each sees exactly its own data. */
export const tenantChecks: readonly TenantCheck[] = [
  {
    name: 'two tenants of one store never see or change each other’s workspace, deals, pages, visits, summaries or events',
    async run(makeTenant) {
      const [idA, idB] = freshTenantIds();
      const a = await makeTenant(idA);
      const b = await makeTenant(idB);
      ensureEqual(await b.workspace.load(), emptyWorkspace(), 'a new tenant’s workspace');
      const wsB = fixtureWorkspace([{ type: 'renamePipeline', pipelineId: 'p', name: 'Only in B' }]);
      await a.workspace.save(ws, 0);
      await b.workspace.save(wsB, 0);
      ensureEqual(await a.workspace.load(), ws, 'tenant A’s workspace');
      ensureEqual(await b.workspace.load(), wsB, 'tenant B’s workspace');
      const make = (id: string, name: string, amount: number) =>
        applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId: 'a', name, amount, currency: 'EUR' } }, { at: T });
      const inA = AWKWARD_IDS.slice(0, 4).map((id) => make(id, `A ${id}`, 100));
      const inB = AWKWARD_IDS.slice(2, 6).map((id) => make(id, `B ${id}`, 7));
      await a.deals.save(inA.map((c) => ({ deal: c.deal, expectedVersion: null })), { workspaceVersion: ws.version, events: inA.flatMap((c) => c.events) });
      // The same ids in B: no conflict with A's rows, and B's workspace version is its own.
      await b.deals.save(inB.map((c) => ({ deal: c.deal, expectedVersion: null })), { workspaceVersion: wsB.version, events: inB.flatMap((c) => c.events) });
      for (const c of inA) ensureEqual(await a.deals.get(c.deal.id), c.deal, `tenant A’s deal ${JSON.stringify(c.deal.id)}`);
      for (const c of inB) ensureEqual(await b.deals.get(c.deal.id), c.deal, `tenant B’s deal ${JSON.stringify(c.deal.id)}`);
      ensure((await b.deals.get(AWKWARD_IDS[0]!)) === null, 'tenant B must not see a deal only tenant A has');
      ensureEqual((await a.deals.list({ limit: 100 })).deals.map((d) => d.name), inA.map((c) => c.deal).sort((x, y) => (x.id < y.id ? -1 : 1)).map((d) => d.name), 'tenant A’s listed deals');
      ensureEqual((await b.deals.getMany(AWKWARD_IDS)).map((d) => d.name).sort(), inB.map((c) => c.deal.name).sort(), 'tenant B’s getMany');
      if (a.visits && b.visits) {
        ensureEqual((await b.visits.list({ limit: 100 })).visits.map((v) => v.dealId), visitRows(inB.map((c) => c.deal)).map((v) => v.dealId), 'tenant B’s visits');
      }
      if (a.deals.summarize) {
        const rows = await a.deals.summarize({ pipelineId: 'p', rottingBefore: {} });
        ensureEqual(rows.map((r) => [r.count, r.amount]), [[4, 400]], 'tenant A’s summary (count, amount)');
      }
      if (a.outbox && b.outbox) {
        ensureEqual((await a.outbox.pending(100)).map((p) => p.event.id), inA.flatMap((c) => c.events).map((e) => e.id), 'tenant A’s pending events');
        const pendingB = await b.outbox.pending(100);
        ensureEqual(pendingB.map((p) => (p.event as { dealId?: string }).dealId), inB.map((c) => c.deal.id), 'tenant B’s pending events');
        await b.outbox.markDelivered(pendingB.map((p) => p.seq));
        ensure((await a.outbox.pending(100)).length === inA.length, 'marking tenant B’s events delivered must leave tenant A’s pending');
      }
      const newerB = applyWorkspace(wsB, { type: 'renamePipeline', pipelineId: 'p', name: 'B again' }, { at: T }).workspace;
      await b.workspace.save(newerB, wsB.version);
      const moveA = applyDeal(ws, inA[0]!.deal, { type: 'moveToStage', stageId: 'quote' }, { at: T + 1 });
      await a.deals.save([{ deal: moveA.deal, expectedVersion: 1 }], { workspaceVersion: ws.version });
      ensure((await a.deals.get(inA[0]!.deal.id))!.stageId === 'quote', 'a configuration change in tenant B must not refuse tenant A’s deal saves');
    },
  },
];
