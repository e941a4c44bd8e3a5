import { isPipelineError } from '../../errors.js';
import { applyDeal } from '../../deals/apply.js';
import { redactEvent } from '../../ports/erasure.js';
import type { DealErasedEvent, Repositories } from '../../ports/repositories.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { T, ws, type ContractCheck, type ContractHooks } from './fixtures.js';
import { visitRows } from './storageChecks.js';

/** Values that appear nowhere but in the erased deal: after erasure none may remain. */
const SECRETS = {
  name: 'Qzv Erasable Name',
  oldOwner: 'owner-before-qzv',
  owner: 'owner-after-qzv',
  lostReason: 'reason-qzv-private',
  field: 'field-value-qzv',
  deep: 'deep-value-qzv',
};

/** What the store holds, as text: the hook's dump, or what the ports hand out. */
async function dumpOf(repos: Repositories, hooks: ContractHooks | undefined): Promise<string> {
  if (hooks?.dump) return hooks.dump(repos);
  const deals = await repos.deals.list({ limit: 1000, include: ['history', 'changes'] });
  const visits = repos.visits ? await repos.visits.list({ limit: 10_000 }) : null;
  const outbox = repos.outbox ? await repos.outbox.pending(10_000) : null;
  const parked = repos.outbox?.parked ? await repos.outbox.parked(10_000) : null;
  return JSON.stringify({ deals, visits, outbox, parked });
}

const erasedEvent = (version: number): DealErasedEvent => ({ type: 'dealErased', id: `erased/${version}/x`, dealId: 'x', version, at: T + 10_000, by: 'dpo' });

/** Deal erasure, on the stores that offer it. */
export const eraseChecks: readonly ContractCheck[] = [
  {
    name: 'erase removes the deal and its change log, keeps its visits anonymised, redacts its outbox events (pending and delivered) and stores the erasure event; no erased value remains anywhere',
    async run(make, hooks) {
      const repos = await make();
      if (!repos.deals.erase) return; // optional
      await repos.workspace.save(ws, 0);
      const created = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'x', layoutId: 'a', name: SECRETS.name, ownerId: SECRETS.oldOwner, amount: 4200, currency: 'EUR', fields: { secret: SECRETS.field, nested: { deep: [SECRETS.deep] } } } }, { at: T, by: 'ann' });
      const owned = applyDeal(ws, created.deal, { type: 'updateDeal', patch: { ownerId: SECRETS.owner } }, { at: T + 1000, by: 'ann' });
      const lost = applyDeal(ws, owned.deal, { type: 'closeDeal', outcome: 'won' }, { at: T + 2000, by: 'ann' });
      const kept = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'y', layoutId: 'a', name: 'Kept' } }, { at: T });
      await repos.deals.save([{ deal: created.deal, expectedVersion: null }, { deal: kept.deal, expectedVersion: null }], { events: [...created.events, ...kept.events] });
      if (repos.outbox) await repos.outbox.markDelivered((await repos.outbox.pending(100)).map((p) => p.seq));
      await repos.deals.save([{ deal: owned.deal, expectedVersion: 1 }], { events: owned.events });
      await repos.deals.save([{ deal: lost.deal, expectedVersion: 2 }], { events: lost.events });
      const withReason = { ...lost.deal, version: 4, lostReason: SECRETS.lostReason, updatedAt: T + 3000 };
      await repos.deals.save([{ deal: withReason, expectedVersion: 3 }]);
      const visitsBefore = repos.visits ? visitRows([withReason, kept.deal]) : [];

      const stale = await thrown(repos.deals.erase('x', { by: 'dpo', at: T + 10_000, expectedVersion: 3, event: erasedEvent(3) }));
      ensure(isPipelineError(stale, 'conflict'), `erase with a stale expectedVersion must fail with 'conflict', got ${stale === null ? 'success' : String(stale)}`);
      ensure((await repos.deals.get('x')) !== null, 'a refused erase must leave the deal');
      const missing = await thrown(repos.deals.erase('nobody', { by: 'dpo', at: T, event: { ...erasedEvent(1), dealId: 'nobody', id: 'erased/1/nobody' } }));
      ensure(isPipelineError(missing, 'not_found'), `erase of a deal that does not exist must fail with 'not_found', got ${missing === null ? 'success' : String(missing)}`);

      await repos.deals.erase('x', { by: 'dpo', at: T + 10_000, expectedVersion: 4, event: erasedEvent(4) });
      ensure((await repos.deals.get('x')) === null, 'get of an erased deal must be null');
      ensureEqual((await repos.deals.list({ limit: 100 })).deals.map((d) => d.id), ['y'], 'the listed deals after erasure');
      if (repos.visits) {
        const rows = (await repos.visits.list({ limit: 100 })).visits.map((v) => ({ ...v }));
        ensureEqual(rows, visitsBefore, 'the visit rows after erasure (kept for the figures)');
      }
      if (repos.outbox) {
        const pending = await repos.outbox.pending(100);
        ensureEqual(pending.map((p) => p.event), [...owned.events, ...lost.events].map((e) => redactEvent(e)).concat([erasedEvent(4) as never]), 'the pending events after erasure: redacted, then the erasure event');
      }
      const dump = await dumpOf(repos, hooks);
      for (const [what, value] of Object.entries(SECRETS)) {
        ensure(!dump.includes(value), `the erased deal's ${what} (${JSON.stringify(value)}) must remain nowhere in the store after erasure`);
      }
      ensure(dump.includes('Kept'), 'the dump must hold the deal that was not erased (is the dump hook reading the store?)');
    },
  },
];
