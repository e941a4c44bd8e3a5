import { isPipelineError } from '../../errors.js';
import { applyWorkspace } from '../../workspace/apply.js';
import type { DealFilter, Repositories } from '../../ports/repositories.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { deal, insert, next, T, ws, type ContractCheck } from './fixtures.js';

/** The workspace after `renamePipeline`: a change that drops nothing, to save under a guard. */
const renamed = applyWorkspace(ws, { type: 'renamePipeline', pipelineId: 'p', name: 'P2' }, { at: T });

/** Saves `renamed` under `unused` and expects the in-use conflict, with nothing written. */
async function expectInUse(repos: Repositories, unused: readonly DealFilter[], count: number, dealIds: readonly string[], what: string): Promise<void> {
  const pendingBefore = repos.outbox ? (await repos.outbox.pending(100)).length : 0;
  const error = await thrown(repos.workspace.save(renamed.workspace, ws.version, { events: renamed.events, unused }));
  ensure(isPipelineError(error, 'conflict'), `${what}: a workspace save whose unused filters match stored deals must fail with 'conflict', got ${error === null ? 'success' : String(error)}`);
  const details = (error as { details: { ids?: unknown; inUse?: unknown } }).details;
  ensureEqual(details.ids, [], `${what}: the conflict's details.ids`);
  ensureEqual(details.inUse, { count, dealIds }, `${what}: the conflict's details.inUse`);
  ensure((await repos.workspace.load()).version === ws.version, `${what}: the refused workspace save must write nothing`);
  if (repos.outbox) ensure((await repos.outbox.pending(100)).length === pendingBefore, `${what}: the refused workspace save must store no events`);
}

/** The in-use guard of workspace saves (`WorkspaceSaveOptions.unused`). */
export const guardChecks: readonly ContractCheck[] = [
  {
    name: 'a workspace save refuses with conflict (details.inUse: count and up to 10 ids in id order) while a stored deal matches one of its unused filters',
    async run(make) {
      const repos = await make();
      await repos.workspace.save(ws, 0);
      const many = Array.from({ length: 12 }, (_, i) => deal(`q${String(i).padStart(2, '0')}`));
      await insert(repos.deals, [...many.map((d) => next(d, 'quote')).reverse(), deal('n1'), deal('b1', 'b', 'quote')]);
      await expectInUse(repos, [{ pipelineId: 'p', stageId: 'quote' }], 12, many.slice(0, 10).map((d) => d.id), 'unused { pipelineId: p, stageId: quote }');
      await expectInUse(repos, [{ pipelineId: 'p', stageId: 'won' }, { pipelineId: 'p', stageId: 'new' }], 1, ['n1'], 'unused of two filters, one matching');
      await expectInUse(repos, [{ layoutId: 'b', stageId: 'quote' }], 1, ['b1'], 'unused { layoutId: b, stageId: quote }');
      await expectInUse(repos, [{ pipelineId: null, layoutId: 'b' }], 1, ['b1'], 'unused { pipelineId: null, layoutId: b }');
      await expectInUse(repos, [{ pipelineId: 'p' }], 13, ['n1', ...many.slice(0, 9).map((d) => d.id)], 'unused { pipelineId: p }');
    },
  },
  {
    name: 'a workspace save whose unused filters match no stored deal is stored, with its events',
    async run(make) {
      const repos = await make();
      await repos.workspace.save(ws, 0);
      await insert(repos.deals, [deal('n1'), deal('b1', 'b', 'quote')]);
      await repos.workspace.save(renamed.workspace, ws.version, { events: renamed.events, unused: [{ pipelineId: 'p', stageId: 'won' }, { layoutId: 'a', stageId: 'quote' }, { pipelineId: 'gone' }] });
      ensureEqual(await repos.workspace.load(), renamed.workspace, 'the workspace saved under unused filters that match nothing');
      if (repos.outbox) ensureEqual((await repos.outbox.pending(100)).map((p) => p.event.id), renamed.events.map((e) => e.id), 'the events of that save');
      await repos.workspace.save(applyWorkspace(renamed.workspace, { type: 'renamePipeline', pipelineId: 'p', name: 'P3' }, { at: T }).workspace, renamed.workspace.version, { unused: [] });
      ensure((await repos.workspace.load()).version === renamed.workspace.version + 1, 'a workspace save with an empty unused list is stored');
    },
  },
  {
    name: 'a workspace save with a malformed unused filter is refused with invalid_input and writes nothing',
    async run(make) {
      const repos = await make();
      await repos.workspace.save(ws, 0);
      const error = await thrown(repos.workspace.save(renamed.workspace, ws.version, { unused: [{ outcome: 'maybe' } as never] }));
      ensure(isPipelineError(error, 'invalid_input'), `a malformed unused filter must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
      ensure((await repos.workspace.load()).version === ws.version, 'a workspace save refused for a malformed filter must write nothing');
    },
  },
];
