import { applyDeal } from '../../deals/apply.js';
import { applyWorkspace } from '../../workspace/apply.js';
import type { OutboxEntry, OutboxRepository, Repositories } from '../../ports/repositories.js';
import { ensure, ensureEqual } from './assert.js';
import { T, ws, type ContractCheck } from './fixtures.js';

type Claiming = Required<OutboxRepository>;

/** The claim methods, when the store offers them all. */
function claiming(repos: Repositories): Claiming | null {
  const o = repos.outbox;
  if (!o || !o.claim || !o.fail || !o.parked || !o.retryParked || !o.purgeDelivered) return null;
  return o as Claiming;
}

/** Stores four events: a workspace event, deal d1 at versions 1 and 2, deal d2 at version 1 (seq order). */
async function fourEvents(repos: Repositories): Promise<{ w: string; d1v1: string; d1v2: string; d2v1: string }> {
  const renamed = applyWorkspace(ws, { type: 'renamePipeline', pipelineId: 'p', name: 'P2' }, { at: T });
  await repos.workspace.save(ws, 0);
  await repos.workspace.save(renamed.workspace, ws.version, { events: renamed.events });
  const d1 = applyDeal(renamed.workspace, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'a', name: 'D1' } }, { at: T });
  await repos.deals.save([{ deal: d1.deal, expectedVersion: null }], { events: d1.events });
  const moved = applyDeal(renamed.workspace, d1.deal, { type: 'moveToStage', stageId: 'quote' }, { at: T + 1 });
  await repos.deals.save([{ deal: moved.deal, expectedVersion: 1 }], { events: moved.events });
  const d2 = applyDeal(renamed.workspace, null, { type: 'createDeal', deal: { id: 'd2', layoutId: 'a', name: 'D2' } }, { at: T + 2 });
  await repos.deals.save([{ deal: d2.deal, expectedVersion: null }], { events: d2.events });
  return { w: renamed.events[0]!.id, d1v1: d1.events[0]!.id, d1v2: moved.events[0]!.id, d2v1: d2.events[0]!.id };
}

const ids = (entries: readonly OutboxEntry[]) => entries.map((e) => e.event.id);
const seqOf = (entries: readonly OutboxEntry[], id: string) => entries.find((e) => e.event.id === id)!.seq;

/** Outbox claims, failures, parking and purge, on the stores that offer them (all or none). */
export const outboxChecks: readonly ContractCheck[] = [
  {
    name: 'outbox claims: two claims never return the same event while its lease lives; a lapsed lease can be claimed again; a deal\'s next event waits for the one before it',
    async run(make) {
      const repos = await make();
      const outbox = claiming(repos);
      if (!outbox) return; // optional: the service then delivers from pending
      const e = await fourEvents(repos);
      const a = await outbox.claim({ owner: 'a', limit: 2, leaseMs: 1000, now: T });
      ensureEqual(ids(a), [e.w, e.d1v1], "claim by 'a' of 2 (the oldest, in seq order)");
      const b = await outbox.claim({ owner: 'b', limit: 10, leaseMs: 1000, now: T + 10 });
      ensureEqual(ids(b), [e.d2v1], "claim by 'b' while 'a' holds d1's version 1 (d1's version 2 must wait for it)");
      const [c1, c2] = await Promise.all([outbox.claim({ owner: 'c', limit: 10, leaseMs: 1000, now: T + 20 }), outbox.claim({ owner: 'd', limit: 10, leaseMs: 1000, now: T + 20 })]);
      ensureEqual([...ids(c1), ...ids(c2)], [], 'two concurrent claims while every claimable event is leased');
      const later = await outbox.claim({ owner: 'c', limit: 10, leaseMs: 1000, now: T + 5000 });
      ensureEqual(ids(later), [e.w, e.d1v1, e.d1v2, e.d2v1], "claim by 'c' after every lease lapsed (d1's version 2 comes with version 1 in one claim)");
      const [x, y] = await Promise.all([outbox.claim({ owner: 'x', limit: 10, leaseMs: 1000, now: T + 9000 }), outbox.claim({ owner: 'y', limit: 10, leaseMs: 1000, now: T + 9000 })]);
      const both = [...ids(x), ...ids(y)];
      ensure(new Set(both).size === both.length, `two concurrent claims must not return the same event, got ${JSON.stringify(both)}`);
      ensureEqual([...both].sort(), [e.w, e.d1v1, e.d1v2, e.d2v1].sort(), 'the events of two concurrent claims together');
    },
  },
  {
    name: 'outbox fail: a failed event is due again at retryAt (attempts and last error kept), parked when retryAt is null; parked events block nothing and come back with retryParked',
    async run(make) {
      const repos = await make();
      const outbox = claiming(repos);
      if (!outbox) return;
      const e = await fourEvents(repos);
      const all = await outbox.claim({ owner: 'a', limit: 10, leaseMs: 1000, now: T });
      await outbox.markDelivered([seqOf(all, e.w), seqOf(all, e.d2v1)]);
      const v1 = seqOf(all, e.d1v1);
      await outbox.fail([v1], { owner: 'a', error: 'x'.repeat(1500), retryAt: T + 5000 });
      ensureEqual(ids(await outbox.claim({ owner: 'a', limit: 10, leaseMs: 1000, now: T + 1 })), [], 'a claim before retryAt (d1 waits for its version 1)');
      ensureEqual(ids(await outbox.pending(10)), [e.d1v1, e.d1v2], 'pending after a failure (failed events are still pending)');
      const again = await outbox.claim({ owner: 'a', limit: 10, leaseMs: 1000, now: T + 5000 });
      ensureEqual(ids(again), [e.d1v1, e.d1v2], 'a claim at retryAt');
      ensureEqual([again[0]!.attempts, again[0]!.lastError?.length], [1, 1000], "the failed event's attempts and last error (cut to 1000 characters)");
      await outbox.fail([v1], { owner: 'someone else', error: 'not mine', retryAt: null });
      ensureEqual(await outbox.parked(10), [], "parked events after a fail by an owner that did not claim the event (it must be ignored)");
      await outbox.fail([v1], { owner: 'a', error: 'poison', retryAt: null });
      const parked = await outbox.parked(10);
      ensureEqual(parked.map((p) => [p.event.id, p.attempts, p.lastError]), [[e.d1v1, 2, 'poison']], 'parked(10): the event, its attempts, its last error');
      ensureEqual(ids(await outbox.pending(10)), [e.d1v2], 'pending leaves parked events out');
      ensureEqual(ids(await outbox.claim({ owner: 'b', limit: 10, leaseMs: 1000, now: T + 7000 })), [e.d1v2], "a claim after d1's version 1 was parked (the parked event blocks nothing)");
      await outbox.markDelivered([seqOf(again, e.d1v2)]);
      ensure((await outbox.retryParked([v1, 987_654_321])) === 1, 'retryParked of one parked event and an unknown seq must return 1');
      ensureEqual(await outbox.parked(10), [], 'parked events after retryParked');
      const retried = await outbox.claim({ owner: 'c', limit: 10, leaseMs: 1000, now: T + 9000 });
      ensureEqual(retried.map((r) => [r.event.id, r.attempts]), [[e.d1v1, 0]], 'a claim after retryParked (attempts reset)');
    },
  },
  {
    name: 'outbox purgeDelivered deletes delivered events delivered before the instant and nothing else, returning how many',
    async run(make) {
      const repos = await make();
      const outbox = claiming(repos);
      if (!outbox) return;
      const e = await fourEvents(repos);
      const all = await outbox.pending(10);
      await outbox.markDelivered([seqOf(all, e.w), seqOf(all, e.d1v1)]);
      ensure((await outbox.purgeDelivered(0)) === 0, 'purgeDelivered(0) must delete nothing (no event was delivered before 1970)');
      const deleted = await outbox.purgeDelivered(Date.now() + 86_400_000);
      ensure(deleted === 2, `purgeDelivered(tomorrow) must delete the 2 delivered events, deleted ${deleted}`);
      ensureEqual(ids(await outbox.pending(10)), [e.d1v2, e.d2v1], 'pending after the purge');
      ensure((await outbox.purgeDelivered(Date.now() + 86_400_000)) === 0, 'a second purge must delete nothing');
    },
  },
];
