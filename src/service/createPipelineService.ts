import { PipelineError } from '../errors.js';
import { applyDeal } from '../deals/apply.js';
import type { DealCommandInput } from '../model/commands.js';
import type { Deal, DealInput } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Id } from '../model/primitives.js';
import { bulkUpdate } from './bulk.js';
import { configure } from './configure.js';
import { actor, createRuntime, type Runtime } from './runtime.js';
import type { PipelineService, PipelineServiceOptions } from './types.js';

/**
 * The service a host wires to its storage: every call loads what it needs, decides with the pure
 * reducers, saves with optimistic concurrency (retrying conflicts up to `maxRetries`), then
 * publishes the events. Multi-step configuration changes (the first pipeline of a layout,
 * deleting a pipeline with a transfer, removing a stage with a replacement) move deals first and
 * can be run again after a crash to finish.
 *
 * @param options - repositories, and optionally `clock`, `authorize`, `onEvents`, `maxRetries`, `chunkSize`
 * @returns the service
 * @example
 * ```ts
 * const service = createPipelineService({ ...createMemoryRepositories(), onEvents: (e) => console.log(e.length) });
 * await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages }, { by: 'admin' });
 * const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'Fleet' }, { by: 'ann' });
 * await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann' });
 * ```
 */
export function createPipelineService(options: PipelineServiceOptions): PipelineService {
  if (typeof options !== 'object' || options === null || !options.workspace || !options.deals) {
    throw new PipelineError('invalid_input', 'options: workspace and deals repositories are required', { path: 'options' });
  }
  const rt = createRuntime(options);
  return {
    configure: (command, opts) => run(() => configure(rt, command, actor(opts))),
    createDeal: (input, opts) => run(() => createDeal(rt, input, actor(opts))),
    dispatch: (dealId, command, opts) => run(() => dispatch(rt, dealId, command, actor(opts), opts?.bypassRules === true)),
    bulkUpdate: (request) => run(() => bulkUpdate(rt, request)),
    getDeal: (id) => run(() => rt.deals.get(parseWith(Id, id, 'dealId'))),
    getWorkspace: () => run(() => rt.workspaces.load()),
  };
}

/** Turns synchronous throws into rejected promises. */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  return fn();
}

async function createDeal(rt: Runtime, input: DealInput, by: string | null): Promise<Deal> {
  const id = typeof input === 'object' && input !== null && typeof input.id === 'string' ? input.id : undefined;
  await rt.authorize({ by, action: 'createDeal', ...(id ? { dealId: id } : {}), bypassRules: false });
  return rt.retry(async () => {
    const ws = await rt.workspaces.load();
    const existing = id === undefined ? null : await rt.deals.get(id);
    const { deal, events } = applyDeal(ws, existing, { type: 'createDeal', deal: input }, { at: rt.now(), by });
    await rt.deals.save([{ deal, expectedVersion: null }]);
    await rt.publish(events);
    return deal;
  });
}

async function dispatch(rt: Runtime, dealId: string, command: DealCommandInput, by: string | null, bypassOption: boolean): Promise<Deal> {
  const id = parseWith(Id, dealId, 'dealId');
  const commandBypass = typeof command === 'object' && command !== null && (command as { bypassRules?: unknown }).bypassRules === true;
  const bypassRules = bypassOption || commandBypass;
  const action = typeof command === 'object' && command !== null && typeof command.type === 'string' ? command.type : 'unknown';
  await rt.authorize({ by, action, dealId: id, bypassRules });
  return rt.retry(async () => {
    const current = await rt.deals.get(id);
    if (command?.type === 'createDeal') {
      throw new PipelineError('invalid_input', 'command.type: use createDeal to create deals', { path: 'command.type' });
    }
    if (!current) throw new PipelineError('not_found', `deal ${id} does not exist`, { dealId: id });
    const ws = await rt.workspaces.load();
    const c = bypassRules ? ({ ...command, bypassRules: true } as DealCommandInput) : command;
    const { deal, events } = applyDeal(ws, current, c, { at: rt.now(), by });
    if (events.length === 0) return current;
    await rt.commit([{ deal, events }]);
    return deal;
  });
}
