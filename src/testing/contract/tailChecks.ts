import { isPipelineError } from '../../errors.js';
import { applyDeal } from '../../deals/apply.js';
import type { Deal } from '../../model/deal.js';
import type { DealChange, DealRepository, DealTail, Repositories } from '../../ports/repositories.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { deal, insert, listAll, next, readAllPages, tryWrite, ws, type ContractCheck } from './fixtures.js';
import { visitRows } from './storageChecks.js';

/** The deal as a tail from position `start`: what `getTails` hands out when `start` is the last visit. */
function tailOf(d: Deal, start = d.history.length - 1): Deal {
  return { ...d, history: d.history.slice(start) };
}

/** A deal with three visits (new, quote, won), stored at version 3 through `repo`. */
async function threeVisits(repo: DealRepository, id: string): Promise<Deal> {
  const d = next(next(deal(id), 'quote'), 'won');
  await insert(repo, [d]);
  return d;
}

/** Whether the store hands out tails: both reads, and then its save takes `historyStart`. */
const hasTails = (repos: Repositories) => repos.deals.getTails !== undefined && repos.deals.listTails !== undefined;

/**
 * A check's run on fresh repositories holding deal `x` with three visits (`stored`). It passes
 * without running on a store that hands out no tails: `historyStart` is sent only to stores that do.
 */
function withX(body: (repos: Repositories, stored: Deal) => Promise<void>): ContractCheck['run'] {
  return async (make) => {
    const repos = await make();
    if (!hasTails(repos)) return;
    await body(repos, await threeVisits(repos.deals, 'x'));
  };
}

function allTails(repo: DealRepository, q: { layoutId?: string; pipelineId?: string | null; stageId?: string }, limit: number): Promise<DealTail[]> {
  return readAllPages('listTails', limit, async (after) => {
    const page = await repo.listTails!({ ...q, after, limit });
    return { items: page.tails, next: page.next };
  });
}

/** `getTails`/`listTails` and `DealChange.historyStart`, on the stores that offer tails (both reads). */
export const tailChecks: readonly ContractCheck[] = [
  {
    name: 'a save with historyStart keeps the stored visits before it and writes the ones from it on',
    run: withX(async (repos, stored) => {
      const moved = next(stored, 'quote');
      await repos.deals.save([{ deal: tailOf(moved, 2), expectedVersion: stored.version, historyStart: 2 }]);
      ensureEqual(await repos.deals.get('x'), moved, 'deal x after a save of its history from position 2');
      if (repos.visits) ensureEqual((await repos.visits.list({ limit: 100 })).visits.map((v) => ({ ...v })), visitRows([moved]), 'the visit rows after a save from position 2');
      // historyStart 0 is a whole history, as without it.
      const again = next(moved, 'new');
      await repos.deals.save([{ deal: again, expectedVersion: moved.version, historyStart: 0 }]);
      ensureEqual(await repos.deals.get('x'), again, 'deal x after a save with historyStart 0');
    }),
  },
  {
    name: 'a historyStart that is negative, fractional, not a number, without an expectedVersion or past the stored visits is invalid_input and writes nothing',
    run: withX(async (repos, stored) => {
      const moved = next(stored, 'quote');
      const bad: [string, DealChange][] = [
        ['-1', { deal: tailOf(moved, 2), expectedVersion: stored.version, historyStart: -1 }],
        ['1.5', { deal: tailOf(moved, 2), expectedVersion: stored.version, historyStart: 1.5 }],
        ["'2'", { deal: tailOf(moved, 2), expectedVersion: stored.version, historyStart: '2' as unknown as number }],
        ['2 with expectedVersion null', { deal: tailOf(deal('y'), 0), expectedVersion: null, historyStart: 2 }],
        ['9 (3 visits stored)', { deal: tailOf(moved, 2), expectedVersion: stored.version, historyStart: 9 }],
      ];
      for (const [what, change] of bad) {
        const error = await thrown(repos.deals.save([change, { deal: deal('z'), expectedVersion: null }]));
        ensure(isPipelineError(error, 'invalid_input'), `a save with historyStart ${what} must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
        const path = (error as { details?: { path?: unknown } }).details?.path;
        ensure(path === 'changes[0].historyStart', `the error for historyStart ${what} must name changes[0].historyStart in details.path, got ${String(path)}`);
      }
      ensureEqual(await repos.deals.get('x'), stored, 'deal x after refused saves');
      ensure((await repos.deals.get('y')) === null && (await repos.deals.get('z')) === null, 'a refused save must create no deal');
    }),
  },
  {
    name: 'a save with historyStart over a version that is no longer stored is a conflict and writes nothing',
    run: withX(async (repos, stored) => {
      const other = next(stored, 'new');
      await repos.deals.save([{ deal: other, expectedVersion: stored.version }]);
      const stale = next(stored, 'quote');
      const error = await thrown(repos.deals.save([{ deal: tailOf(stale, 2), expectedVersion: stored.version, historyStart: 2 }]));
      ensure(isPipelineError(error, 'conflict'), `a tail saved over version ${stored.version} after the deal moved on must fail with 'conflict', got ${error === null ? 'success' : String(error)}`);
      ensureEqual(await repos.deals.get('x'), other, 'deal x after a refused tail save');
    }),
  },
  {
    name: 'a deal saved from a tail into another layout has every stored visit in that layout',
    run: withX(async (repos, stored) => {
      const at = stored.updatedAt + 1000;
      const last = stored.history[2]!;
      const tail: Deal = {
        ...stored, layoutId: 'b', pipelineId: null, stageId: 'new', version: stored.version + 1, updatedAt: at,
        history: [{ ...last, exitedAt: at }, { ...last, pipelineId: null, stageId: 'new', enteredAt: at, exitedAt: null, outcome: 'open' }],
      };
      await repos.deals.save([{ deal: tail, expectedVersion: stored.version, historyStart: 2 }]);
      const whole: Deal = { ...tail, history: [...stored.history.slice(0, 2), ...tail.history] };
      ensureEqual(await repos.deals.get('x'), whole, 'deal x after a move into layout b saved from a tail');
      if (repos.visits) {
        ensureEqual((await repos.visits.list({ layoutId: 'b', limit: 100 })).visits.map((v) => ({ ...v })), visitRows([whole]), 'the visit rows of layout b');
        ensureEqual((await repos.visits.list({ layoutId: 'a', limit: 100 })).visits, [], 'the visit rows of layout a');
      }
    }),
  },
  {
    name: 'getTails and listTails give each deal with only its last visit and its position, in id order, like getMany and list',
    async run(make) {
      const repos = await make();
      if (!hasTails(repos)) return; // optional: bulk updates and sweeps then read whole deals
      const one = deal('a1');
      const two = next(deal('a2'), 'quote');
      const three = next(next(deal('a3'), 'quote'), 'won');
      const other = deal('b1', 'b');
      await insert(repos.deals, [three, other, one, two]);
      const byId = new Map([one, two, three, other].map((d) => [d.id, d]));
      const expected = (id: string): DealTail => ({ deal: tailOf(byId.get(id)!), historyStart: byId.get(id)!.history.length - 1 });
      const got = await repos.deals.getTails!(['a3', 'missing', 'a1']);
      ensureEqual([...got].sort((p, q) => (p.deal.id < q.deal.id ? -1 : 1)), ['a1', 'a3'].map(expected), 'getTails([a3, missing, a1])');
      ensureEqual(await repos.deals.getTails!([]), [], 'getTails([])');
      ensureEqual(await allTails(repos.deals, {}, 1), ['a1', 'a2', 'a3', 'b1'].map(expected), 'listTails({}) one by one');
      ensureEqual(await allTails(repos.deals, { pipelineId: 'p', stageId: 'won' }, 10), [expected('a3')], 'listTails({ pipelineId: p, stageId: won })');
      ensureEqual((await allTails(repos.deals, { layoutId: 'b' }, 10)).map((t) => t.deal.id), await listAll(repos.deals, { layoutId: 'b' }, 10), 'listTails({ layoutId: b }) ids');
      const [tail] = await repos.deals.getTails!(['a2']);
      tryWrite(() => {
        (tail!.deal.history[0] as { stageId: string }).stageId = 'won';
        tail!.deal.stageId = 'won';
      });
      ensureEqual(await repos.deals.get('a2'), two, 'deal a2 after writing to the tail it handed out');
    },
  },
  {
    name: 'a move decided on a tail and saved with its historyStart stores the same deal as the move decided on the whole deal',
    run: withX(async (repos, stored) => {
      const command = { type: 'moveToStage', stageId: 'quote' } as const;
      const whole = applyDeal(ws, stored, command, { at: stored.updatedAt + 1000 }).deal;
      const [tail] = await repos.deals.getTails!(['x']);
      const moved = applyDeal(ws, tail!.deal, command, { at: stored.updatedAt + 1000 }).deal;
      await repos.deals.save([{ deal: moved, expectedVersion: tail!.deal.version, historyStart: tail!.historyStart }]);
      ensureEqual(await repos.deals.get('x'), whole, 'deal x after a move decided on its tail');
      const [after] = (await repos.deals.listTails!({ limit: 10 })).tails;
      ensureEqual(after, { deal: tailOf(whole), historyStart: 3 }, 'the tail after the move');
    }),
  },
];
