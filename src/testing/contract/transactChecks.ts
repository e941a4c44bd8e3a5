import { isPipelineError, PipelineError } from '../../errors.js';
import { applyDeal } from '../../deals/apply.js';
import type { Deal } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import type { DealDecision, Repositories } from '../../ports/repositories.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { deal, insert, T, ws, type ContractCheck, type MakeRepositories } from './fixtures.js';

type Seen = { current: Deal | null; workspace: Workspace } | null;

/**
 * Fresh repositories holding the fixture workspace, with their `deals.transact` bound, or null
 * when the store does not offer one (the service then reads, decides and saves in three calls).
 */
async function withTransact(make: MakeRepositories) {
  const repos: Repositories = await make();
  const t = repos.deals.transact;
  if (!t) return null;
  await repos.workspace.save(ws, 0);
  return { repos, transact: t.bind(repos.deals) };
}

/** `deals.transact`, for stores that offer it: one read-decide-write, all or nothing. */
export const transactChecks: readonly ContractCheck[] = [
  {
    name: 'deals.transact hands decide the stored deal (or null) and the stored workspace, and saves the deal it returns',
    async run(make) {
      const store = await withTransact(make);
      if (!store) return;
      const { repos, transact } = store;
      let seen: Seen = null;
      await transact('t', (current, workspace) => {
        seen = { current, workspace };
        return applyDeal(workspace, current, { type: 'createDeal', deal: { id: 't', layoutId: 'a', name: 'T' } }, { at: T });
      });
      const first = seen as Seen;
      ensure(first !== null, 'deals.transact must call decide');
      ensure(first.current === null, 'deals.transact must hand decide null for a deal that does not exist');
      ensureEqual(first.workspace, ws, 'the workspace deals.transact hands decide');
      const created = await repos.deals.get('t');
      ensure(created !== null && created.version === 1, 'the deal a transact decision created must be stored at version 1');
      let moved: DealDecision | null = null;
      await transact('t', (current, workspace) => {
        ensureEqual(current, created, 'the deal deals.transact hands decide');
        moved = applyDeal(workspace, current, { type: 'moveToStage', stageId: 'quote' }, { at: T + 1000 });
        return moved;
      });
      ensureEqual(await repos.deals.get('t'), (moved as DealDecision | null)?.deal, 'the deal after a transact decision moved it');
    },
  },
  {
    name: 'deals.transact saves nothing when decide returns null or throws, and rejects with what decide threw',
    async run(make) {
      const store = await withTransact(make);
      if (!store) return;
      const { repos, transact } = store;
      const d = deal('u');
      await insert(repos.deals, [d]);
      await transact('u', () => null);
      ensureEqual(await repos.deals.get('u'), d, 'the deal after a transact whose decision was null');
      const refusal = new PipelineError('transition_not_allowed', 'refused by the decision', {});
      const error = await thrown(
        transact('u', (current, workspace) => {
          applyDeal(workspace, current, { type: 'moveToStage', stageId: 'quote' }, { at: T + 1000 });
          throw refusal;
        }),
      );
      ensure(error === refusal, `deals.transact must reject with the error decide threw, got ${error === null ? 'success' : String(error)}`);
      ensureEqual(await repos.deals.get('u'), d, 'the deal after a transact whose decide threw');
    },
  },
  {
    name: 'deals.transact refuses a decision for another deal with invalid_input and stores nothing',
    async run(make) {
      const store = await withTransact(make);
      if (!store) return;
      const { repos, transact } = store;
      const d = deal('v');
      await insert(repos.deals, [d]);
      const error = await thrown(transact('v', (current, workspace) => applyDeal(workspace, null, { type: 'createDeal', deal: { id: 'w', layoutId: 'a', name: 'W' } }, { at: T })));
      ensure(isPipelineError(error, 'invalid_input'), `a transact decision for another deal must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
      ensure((await repos.deals.get('w')) === null, 'deal w must not exist after a refused transact decision');
      ensureEqual(await repos.deals.get('v'), d, 'deal v after a refused transact decision');
    },
  },
  {
    name: 'deals.transact with events: true stores the decision\'s events in the outbox, in the same write',
    async run(make) {
      const store = await withTransact(make);
      const outbox = store?.repos.outbox;
      if (!store || !outbox) return;
      const { transact } = store;
      let decision: DealDecision | null = null;
      await transact('e', (current, workspace) => (decision = applyDeal(workspace, current, { type: 'createDeal', deal: { id: 'e', layoutId: 'a', name: 'E' } }, { at: T })), { events: true });
      const events = (decision as DealDecision | null)?.events ?? [];
      ensure(events.length > 0, 'the createDeal decision must have events');
      ensureEqual((await outbox.pending(10)).map((p) => p.event), events, 'the outbox after a transact with events: true');
    },
  },
];
