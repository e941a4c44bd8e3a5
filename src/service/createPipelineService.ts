import { isPipelineError, PipelineError } from '../errors.js';
import { applyDeal } from '../deals/apply.js';
import type { DealCommandInput } from '../model/commands.js';
import type { Deal, DealInput } from '../model/deal.js';
import type { DealEvent } from '../deals/events.js';
import type { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { isId } from '../model/quickParse.js';
import { Id } from '../model/primitives.js';
import type { DealDecision } from '../ports/repositories.js';
import { applyConfiguration } from './applyConfiguration.js';
import { board } from './board.js';
import { listDeals } from './listing.js';
import { eraseDeal } from './erase.js';
import { storedStalledDeals } from './reports/stalled.js';
import { storedWeightedPipeline } from './reports/weighted.js';
import { talliedReports } from './reports/tallied.js';
import { storedDwellStats } from './storedMetrics.js';
import { rottingBetween } from './rotting.js';
import { storedBacktest, storedForecast, storedLearnPipeline } from './forecast.js';
import { bulkUpdate } from './bulk.js';
import { importDeals } from './importDeals.js';
import { deliverPending, parkedEvents, purgeDelivered, retryParked } from './outboxCalls.js';
import { configure } from './configure.js';
import { checkServiceOptions } from './options.js';
import { actor, createRuntime, finalConflict, type Runtime } from './runtime.js';
import type { AuthorizationRequest, DispatchOptions, PipelineService, PipelineServiceOptions } from './types.js';
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
 * @param options - repositories, and optionally `clock`, `authorize`, `onEvents`, `retry`, `chunkSize`;
 *   each is checked here (`invalid_input` naming `options.<name>`), and read once
 * @returns the service
 * @example
 * ```ts
 * const service = createPipelineService({ ...createMemoryRepositories(), onEvents: (e) => console.log(e.length) });
 * await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages }, { by: 'admin' });
 * const deal = await service.createDeal({ id: 'd1', layoutId: 'sales', name: 'Fleet' }, { by: 'ann' });
 * await service.dispatch('d1', { type: 'moveToStage', stageId: 'quote' }, { by: 'ann', expectedVersion: deal.version });
 * ```
 * @category Service
 */
export function createPipelineService(options: PipelineServiceOptions): PipelineService {
  const rt = createRuntime(checkServiceOptions(options));
  const reports = talliedReports(rt);
  return {
    configure: (command, opts) => run(() => configure(rt, command, actor(opts))),
    createDeal: (input, opts) => run(() => createDeal(rt, input, actor(opts))),
    dispatch: (dealId, command, opts) => run(() => dispatch(rt, dealId, command, opts)),
    bulkUpdate: (request) => run(() => bulkUpdate(rt, request)),
    importDeals: (deals, opts) => run(() => importDeals(rt, deals, opts)),
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
    rottingBetween: (...args: unknown[]) => run(() => rottingBetween(rt, args)),
    learnPipeline: (opts) => run(() => storedLearnPipeline(rt, opts)),
    forecast: (opts) => run(() => storedForecast(rt, opts)),
    backtest: (opts) => run(() => storedBacktest(rt, opts)),
    stalledDeals: (opts) => run(() => storedStalledDeals(rt, opts)),
    weightedPipeline: () => run(() => storedWeightedPipeline(rt)),
    conversionFunnel: (opts) => run(() => reports.conversionFunnel(opts)),
    stageConversion: (opts) => run(() => reports.stageConversion(opts)),
    movementStats: (opts) => run(() => reports.movementStats(opts)),
    salesCycle: (opts) => run(() => reports.salesCycle(opts)),
    salesVelocity: (opts) => run(() => reports.salesVelocity(opts)),
    slippage: (opts) => run(() => reports.slippage(opts)),
    pipelineWaterfall: (opts) => run(() => reports.pipelineWaterfall(opts)),
    pipelineCoverage: (opts) => run(() => reports.pipelineCoverage(opts)),
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
  // authorize sees the deal the decision reads: asked again whenever a retry reads it again.
  const request = (current: Deal | null): AuthorizationRequest => ({ by, action, dealId: id, bypassRules, ...(current ? { deal: current } : {}) });
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
  if (rt.transact) return dispatchInTransaction(rt, id, request, (current, ws) => {
    const read = check(current);
    const { deal, events } = decide(read, ws);
    return events.length === 0 ? { deal: read, events } : { deal, events };
  });
  return rt.retry(async () => {
    const read = await rt.deals.get(id);
    // Asked on the deal that is then saved against its version: a change in between makes the
    // save conflict, and the retry asks again about the deal as it is then.
    if (!(await rt.ask(request(read)))) throw rt.refusal(request(read));
    const current = check(read);
    const ws = await rt.workspaces.load();
    const { deal, events } = decide(current, ws);
    if (events.length === 0) return current;
    await rt.commit([{ deal, events }], ws.version);
    return deal;
  });
}

/**
 * A dispatch in one storage transaction: read, authorization, decision and save, so nothing can
 * come between them. A synchronous `authorize` is asked inside it; a promise cannot be awaited
 * there (the decision is synchronous), so its answer is awaited outside, pinned to the version
 * of the deal it was asked about, and the transaction runs again: it uses the answer only while
 * the deal is still at that version, and asks again otherwise.
 */
function dispatchInTransaction(
  rt: Runtime,
  id: string,
  request: (current: Deal | null) => AuthorizationRequest,
  decide: (current: Deal | null, ws: Workspace) => DealDecision,
): Promise<Deal> {
  const transact = rt.transact!;
  let answered: { version: number | null; allowed: boolean } | null = null;
  return rt.retry(async () => {
    for (;;) {
      let result: Deal | null = null;
      let pending: { version: number | null; answer: Promise<boolean> } | null = null;
      await transact(id, (current, ws) => {
        try {
          const version = current?.version ?? null;
          if (answered === null || answered.version !== version) {
            const answer = rt.ask(request(current));
            if (typeof answer !== 'boolean') {
              pending = { version, answer };
              return null;
            }
            answered = { version, allowed: answer };
          }
          if (!answered.allowed) throw rt.refusal(request(current));
          const decision = decide(current, ws);
          result = decision.deal;
          return decision.events.length === 0 ? null : decision;
        } catch (e) {
          throw readable(e);
        }
      });
      if (pending === null) return result!;
      const { version, answer } = pending as { version: number | null; answer: Promise<boolean> };
      answered = { version, allowed: await answer };
    }
  });
}

