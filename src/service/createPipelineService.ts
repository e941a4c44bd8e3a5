import { isPipelineError, PipelineError } from '../errors.js';
import { applyDeal } from '../deals/apply.js';
import type { DealCommandInput } from '../model/commands.js';
import type { Deal, DealInput } from '../model/deal.js';
import type { DealEvent } from '../deals/events.js';
import type { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { isId } from '../model/quickParse.js';
import { Id } from '../model/primitives.js';
import { applyConfiguration } from './applyConfiguration.js';
import { board } from './board.js';
import { listDeals } from './listing.js';
import { eraseDeal } from './erase.js';
import { storedStalledDeals } from './reports/stalled.js';
import { storedWeightedPipeline } from './reports/weighted.js';
import { storedDwellStats } from './storedMetrics.js';
import { bulkUpdate } from './bulk.js';
import { deliverPending, parkedEvents, purgeDelivered, retryParked } from './outboxCalls.js';
import { configure } from './configure.js';
import { actor, createRuntime, finalConflict, type Runtime } from './runtime.js';
import type { DispatchOptions, PipelineService, PipelineServiceOptions } from './types.js';
import * as z from 'zod';

/**
 * The service a host wires to its storage: every call loads what it needs, decides with the pure
 * reducers, saves with optimistic concurrency against the deal versions and the workspace
 * version the decision read (retrying conflicts with exponential backoff and jitter), stores the
 * events in the same save when the repositories have an outbox, then hands them to `onEvents`.
 * Multi-step configuration changes (the first pipeline of a layout, deleting a pipeline with a
 * transfer, removing a stage with a replacement) move deals first and can be run again after a
 * crash to finish. Nothing but `PipelineError` escapes: junk input is `invalid_input`, a storage
 * failure `storage_failed` with the driver's error as `cause`.
 *
 * @param options - repositories, and optionally `clock`, `authorize`, `onEvents`, `retry`, `chunkSize`
 * @returns the service
 * @example
 * ```ts
 * const service = createPipelineService({ ...createMemoryRepositories(), onEvents: (e) => console.log(e.length) });
 * await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages }, { by: 'admin' });
 * const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'Fleet' }, { by: 'ann' });
 * await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann', expectedVersion: deal.version });
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
    dispatch: (dealId, command, opts) => run(() => dispatch(rt, dealId, command, opts)),
    bulkUpdate: (request) => run(() => bulkUpdate(rt, request)),
    getDeal: (id) => run(() => rt.deals.get(parseWith(Id, id, 'dealId'))),
    getWorkspace: () => run(() => rt.workspaces.load()),
    listDeals: (query) => run(() => listDeals(rt, query)),
    board: (pipelineId, opts) => run(() => board(rt, pipelineId, opts)),
    deliverPending: () => run(() => deliverPending(rt)),
    idle: () => rt.delivery?.idle() ?? Promise.resolve(),
    parkedEvents: (limit) => run(() => parkedEvents(rt, limit)),
    retryParked: (seqs) => run(() => retryParked(rt, seqs)),
    purgeDelivered: (before) => run(() => purgeDelivered(rt, before)),
    eraseDeal: (dealId, opts) => run(() => eraseDeal(rt, dealId, opts)),
    dwellStats: (opts) => run(() => storedDwellStats(rt, opts)),
    stalledDeals: (opts) => run(() => storedStalledDeals(rt, opts)),
    weightedPipeline: () => run(() => storedWeightedPipeline(rt)),
    applyConfiguration: (desired, opts) => run(() => applyConfiguration(rt, desired, opts, actor(opts))),
  };
}

/**
 * Turns synchronous throws into rejected promises, and anything but a `PipelineError` (a getter
 * that throws, a revoked Proxy in the input) into `invalid_input`.
 */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw readable(e);
  }
}

/** A `PipelineError` as it is; anything else (a getter that throws in the input) as `invalid_input`. */
function readable(e: unknown): PipelineError {
  if (isPipelineError(e)) return e;
  return new PipelineError('invalid_input', `input could not be read: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
}

async function createDeal(rt: Runtime, input: DealInput, by: string | null): Promise<Deal> {
  const id = typeof input === 'object' && input !== null && typeof input.id === 'string' ? input.id : undefined;
  await rt.authorize({ by, action: 'createDeal', ...(id ? { dealId: id } : {}), bypassRules: false });
  return rt.retry(async () => {
    const ws = await rt.workspaces.load();
    const existing = id === undefined ? null : await rt.deals.get(id);
    const { deal, events } = applyDeal(ws, existing, { type: 'createDeal', deal: input }, { at: rt.now(), by });
    await rt.commit([{ deal, events }], ws.version, () => null);
    return deal;
  });
}

const DispatchOpts = z.strictObject({
  by: Id.nullable().optional(),
  bypassRules: z.boolean().optional(),
  expectedVersion: z.number().int().min(1).optional(),
});

/** The options when they are plain and valid as they are, checked without zod; null means "ask zod". */
function quickDispatchOpts(input: unknown): z.output<typeof DispatchOpts> | null {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return null;
  const o = input as Record<string, unknown>;
  for (const key in o) if (key !== 'by' && key !== 'bypassRules' && key !== 'expectedVersion') return null;
  // Each value read once, and the checked values handed back: a getter cannot answer differently later.
  const { by, bypassRules, expectedVersion } = o;
  if (by !== undefined && by !== null && !isId(by)) return null;
  if (bypassRules !== undefined && typeof bypassRules !== 'boolean') return null;
  if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && (expectedVersion as number) >= 1)) return null;
  return { by, bypassRules, expectedVersion } as z.output<typeof DispatchOpts>;
}

async function dispatch(rt: Runtime, dealId: string, command: DealCommandInput, input: DispatchOptions | undefined): Promise<Deal> {
  // The hottest service call: plain input skips zod (the same checks, written out).
  const id = isId(dealId) ? dealId : parseWith(Id, dealId, 'dealId');
  const opts = quickDispatchOpts(input) ?? parseWith(DispatchOpts, input ?? {}, 'opts');
  const by = opts.by ?? null;
  const commandBypass = typeof command === 'object' && command !== null && (command as { bypassRules?: unknown }).bypassRules === true;
  const bypassRules = opts.bypassRules === true || commandBypass;
  const action = typeof command === 'object' && command !== null && typeof command.type === 'string' ? command.type : 'unknown';
  await rt.authorize({ by, action, dealId: id, bypassRules });
  const check = (current: Deal | null): Deal => {
    if (command?.type === 'createDeal') {
      throw new PipelineError('invalid_input', 'command.type: use createDeal to create deals', { path: 'command.type' });
    }
    if (!current) throw new PipelineError('not_found', `deal ${id} does not exist`, { dealId: id });
    if (opts.expectedVersion !== undefined && current.version !== opts.expectedVersion) {
      throw finalConflict(new PipelineError('conflict', `deal ${id} is at version ${current.version}, not ${opts.expectedVersion}: it changed since it was read`, {
        ids: [id],
        dealId: id,
        currentVersion: current.version,
        expectedVersion: opts.expectedVersion,
      }));
    }
    return current;
  };
  const decide = (current: Deal, ws: Workspace): { deal: Deal; events: readonly DealEvent[] } => {
    const c = bypassRules ? ({ ...command, bypassRules: true } as DealCommandInput) : command;
    return applyDeal(ws, current, c, { at: rt.atFor([current]), by });
  };
  const transact = rt.transact;
  if (transact) {
    // Read, decision and save in one storage transaction: nothing can come between them.
    return rt.retry(async () => {
      let result: Deal | null = null;
      await transact(id, (current, ws) => {
        try {
          const read = check(current);
          const { deal, events } = decide(read, ws);
          result = events.length === 0 ? read : deal;
          return events.length === 0 ? null : { deal, events };
        } catch (e) {
          throw readable(e);
        }
      });
      return result!;
    });
  }
  return rt.retry(async () => {
    const current = check(await rt.deals.get(id));
    const ws = await rt.workspaces.load();
    const { deal, events } = decide(current, ws);
    if (events.length === 0) return current;
    await rt.commit([{ deal, events }], ws.version);
    return deal;
  });
}
