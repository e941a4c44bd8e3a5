import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import * as importer from '../../src/import.js';
import * as testing from '../../src/testing.js';
import { dealerWorkspace, dealerCommands } from '../../examples/dealership.js';
import { fixture } from '../import/helpers.js';

// Every public function, called with hostile values at every argument position (the others
// valid), may return or throw a PipelineError, nothing else; and leaves its valid arguments as
// they were. The hostile values are whole arguments (symbols, BigInts, revoked and throwing
// Proxies, cyclic, deep, huge and sparse values) and the valid arguments with one part replaced
// by each of them, or read through a throwing getter.

const T = Date.parse('2026-03-02T09:00:00Z');
const DAY = 86_400_000;
const ws = dealerWorkspace();
const created = api.applyDeal(ws, null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'SUV', amount: 100, currency: 'EUR', closingDate: '2026-04-30' } }, { at: T });
const moved = api.applyDeal(ws, created.deal, { type: 'updateDeal', patch: { amount: 120 } }, { at: T + DAY });
const deal = moved.deal;
const dealEvents = [...created.events, ...moved.events];
const wsEvents = dealerCommands.reduce<{ w: api.Workspace; events: api.WorkspaceEvent[] }>((acc, c) => {
  const r = api.applyWorkspace(acc.w, c, { at: T });
  return { w: r.workspace, events: [...acc.events, ...r.events] };
}, { w: api.emptyWorkspace(), events: [] }).events;
const window = { from: T - DAY, to: T + 10 * DAY };
const payloads = { hubspot: fixture('hubspot.json'), pipedrive: fixture('pipedrive.json'), salesforce: fixture('salesforce.json'), zoho: fixture('zoho.json') };
const imported = importer.fromHubSpot(payloads.hubspot as never);

type Sync = readonly [name: string, call: (...args: unknown[]) => unknown, args: () => unknown[]];
const plain = <F extends (...args: never[]) => unknown>(f: F) => f as unknown as (...args: unknown[]) => unknown;

const SYNC: Sync[] = [
  ['allowedStages', plain(api.allowedStages), () => [ws, deal]],
  ['applyDeal', plain(api.applyDeal), () => [ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 2 * DAY, by: 'ann' }]],
  ['applyWorkspace', plain(api.applyWorkspace), () => [ws, { type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { at: T }]],
  ['checkTransition', plain(api.checkTransition), () => [ws, deal, { stageId: 'quote' }]],
  ['configurationOf', plain(api.configurationOf), () => [ws, ['sales']]],
  ['conversionFunnel', plain(api.conversionFunnel), () => [ws, [deal], { pipelineId: 'new-cars', ...window }]],
  ['createMemoryRepositories', plain(api.createMemoryRepositories), () => [{ workspace: ws, deals: [deal] }]],
  ['dealAt', plain(api.dealAt), () => [deal, T + DAY]],
  ['decideDeal', plain(api.decideDeal), () => [ws, deal, { type: 'updateDeal', patch: { name: 'X' } }, { at: T + 2 * DAY }]],
  ['decideWorkspace', plain(api.decideWorkspace), () => [ws, { type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { at: T }]],
  ['dwellStats', plain(api.dwellStats), () => [[deal], { now: T + 2 * DAY }]],
  ['dwellStatsOfVisits', plain(api.dwellStatsOfVisits), () => [[{ dealId: 'd1', layoutId: 'sales', pipelineId: 'new-cars', stageId: 'requirements', enteredAt: T, exitedAt: null }], { now: T + DAY }]],
  ['emptyWorkspace', plain(api.emptyWorkspace), () => []],
  ['evolveDeal', plain(api.evolveDeal), () => [created.deal, moved.events[0]]],
  ['evolveWorkspace', plain(api.evolveWorkspace), () => [api.emptyWorkspace(), wsEvents[0]]],
  ['isPipelineError', plain(api.isPipelineError), () => [new api.PipelineError('conflict', 'x'), 'conflict']],
  ['movementStats', plain(api.movementStats), () => [ws, [deal], window]],
  ['pipelineCoverage', plain(api.pipelineCoverage), () => [ws, [deal], { ...window, target: { EUR: 1000 } }]],
  ['pipelineSnapshot', plain(api.pipelineSnapshot), () => [ws, [deal], T + DAY, { pipelineId: 'new-cars' }]],
  ['pipelineWaterfall', plain(api.pipelineWaterfall), () => [ws, [deal], { ...window, closingFrom: '2026-01-01' }]],
  ['planBulkUpdate', plain(api.planBulkUpdate), () => [ws, [deal], { type: 'moveToStage', stageId: 'test-drive' }, { at: T + 2 * DAY, mode: 'bestEffort' }]],
  ['planConfiguration', plain(api.planConfiguration), () => [ws, api.configurationOf(ws)]],
  ['replayDeal', plain(api.replayDeal), () => [dealEvents]],
  ['replayWorkspace', plain(api.replayWorkspace), () => [wsEvents]],
  ['salesCycle', plain(api.salesCycle), () => [[deal], window]],
  ['salesVelocity', plain(api.salesVelocity), () => [[deal], window]],
  ['slippage', plain(api.slippage), () => [[deal], window]],
  ['stageAt', plain(api.stageAt), () => [deal, T + DAY]],
  ['stageConversion', plain(api.stageConversion), () => [ws, [deal], { ...window, pipelineId: 'new-cars' }]],
  ['stageOptions', plain(api.stageOptions), () => [ws, deal]],
  ['stalledDeals', plain(api.stalledDeals), () => [ws, [deal], { now: T + 20 * DAY }]],
  ['suggestStageMap', plain(api.suggestStageMap), () => [ws, 'new-cars', 'used-cars']],
  ['timeInStages', plain(api.timeInStages), () => [deal, { now: T + 2 * DAY }]],
  ['toProblem', plain(api.toProblem), () => [new api.PipelineError('not_found', 'x', { dealId: 'd1' }), { typeBase: 'urn:x:', correlationId: 'r1' }]],
  ['weightedPipeline', plain(api.weightedPipeline), () => [ws, [deal]]],
  ['fromHubSpot', plain(importer.fromHubSpot), () => [copyOf(payloads.hubspot)]],
  ['fromPipedrive', plain(importer.fromPipedrive), () => [copyOf(payloads.pipedrive)]],
  ['fromSalesforce', plain(importer.fromSalesforce), () => [copyOf(payloads.salesforce)]],
  ['fromZoho', plain(importer.fromZoho), () => [copyOf(payloads.zoho)]],
  ['toStageRows', plain(importer.toStageRows), () => [imported.deals]],
  ['toCsv', plain(importer.toCsv), () => [importer.toStageRows(imported.deals)]],
  ['toHubSpotTimeProperties', plain(importer.toHubSpotTimeProperties), () => [deal]],
  ['toPipedriveStatistics', plain(importer.toPipedriveStatistics), () => [ws, [deal], { ...window, pipelineId: 'new-cars' }]],
  ['checkInvariants', plain(testing.checkInvariants), () => [ws, [deal], { now: T + 2 * DAY }]],
  ['stepCommand', plain(testing.stepCommand), () => [ws, deal, { kind: 'moveToStage', deal: 0, target: 1, days: 1, bypass: false, amount: 10, reason: true }, 'd2']],
  ['arbWorkspace', plain(testing.arbWorkspace), () => [{ maxLayouts: 2 }]],
  ['arbScenario', plain(testing.arbScenario), () => [{ maxDeals: 2 }]],
  ['arbStageDef', plain(testing.arbStageDef), () => ['s1', 'open']],
];

/** Hostile stand-ins for a whole argument. */
function hostileValues(): [string, unknown][] {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const revokedArray = Proxy.revocable([], {});
  revokedArray.revoke();
  const trap = () => {
    throw new Error('trap');
  };
  const throwing = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
  const cyclic: Record<string, unknown> = { id: 'c' };
  cyclic.self = cyclic;
  const cyclicArray: unknown[] = [];
  cyclicArray.push(cyclicArray);
  let deep: unknown = {};
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  let deepArray: unknown = [];
  for (let i = 0; i < 10_000; i++) deepArray = [deepArray];
  const sparse: unknown[] = [];
  sparse[5] = 'x';
  return [
    ['a symbol', Symbol('x')],
    ['a BigInt', 10n],
    ['NaN', Number.NaN],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a revoked Proxy', revoked.proxy],
    ['a revoked array Proxy', revokedArray.proxy],
    ['a Proxy whose every trap throws', throwing],
    ['an object with a throwing getter', Object.defineProperty({}, 'type', { get: trap, enumerable: true })],
    ['a cyclic object', cyclic],
    ['a cyclic array', cyclicArray],
    ['an object nested 10,000 deep', deep],
    ['an array nested 10,000 deep', deepArray],
    ['a sparse array', sparse],
    ['an array of 1,000,000 holes', new Array(1_000_000)],
    ['an array of 100,000 zeros', new Array(100_000).fill(0)],
    ['a function', () => 1],
    ['an object without prototype', Object.create(null)],
    ['a Date posing object', Object.create(Date.prototype)],
  ];
}

/** Paths to the parts of a value, breadth first, at most `limit`. */
function partsOf(value: unknown, limit: number): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: [unknown, (string | number)[]][] = [[value, []]];
  while (queue.length > 0 && out.length < limit) {
    const [v, path] = queue.shift()!;
    if (typeof v !== 'object' || v === null || path.length > 4) continue;
    const keys = Array.isArray(v) ? v.slice(0, 2).map((_, i) => i) : Object.keys(v);
    for (const k of keys) {
      out.push([...path, k]);
      queue.push([(v as Record<string | number, unknown>)[k], [...path, k]]);
    }
  }
  return out.slice(0, limit);
}

/** A copy of plain data, mutable all through; other objects (errors, repositories) are copied with their prototype and own properties. */
function copyOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyOf);
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    Object.defineProperty(copy, key, { value: 'value' in d ? copyOf(d.value) : undefined, enumerable: d.enumerable ?? true, writable: true, configurable: true });
  }
  return copy;
}

/** A copy of `value` with the part at `path` replaced by `replacement`, or read through a throwing getter when `getter`. */
function withPart(value: unknown, path: (string | number)[], replacement: unknown, getter = false): unknown {
  const copy = copyOf(value) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (getter) {
    Object.defineProperty(at, last, {
      get() {
        throw new Error('trap');
      },
      enumerable: true,
      configurable: true,
    });
  } else at[last] = replacement;
  return copy;
}

/** A stable picture of a value, to see whether a call changed it. */
function picture(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function' ? String(v) : v)) ?? 'undefined';
  } catch {
    return 'unreadable';
  }
}

/** Runs `call` and gives what escaped it that is not a PipelineError, as a line of the report. */
async function escaped(label: string, call: () => unknown): Promise<string | null> {
  try {
    const result = call();
    if (result instanceof Promise) await result;
    return null;
  } catch (e) {
    return api.isPipelineError(e) ? null : `${label}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`;
  }
}

/** Every hostile call of one function: each argument position, whole and part by part. */
async function attack(name: string, call: (...args: unknown[]) => unknown, valid: () => unknown[], positions: number): Promise<string[]> {
  const failures: string[] = [];
  const base = valid();
  for (let i = 0; i < Math.max(positions, base.length + 1); i++) {
    const hostile = hostileValues();
    // Each part gets two or three of the cheap hostile values, a different three at each position.
    const cheap = hostile.filter(([what]) => !/deep|holes|zeros/.test(what));
    const variants: [string, () => unknown][] = hostile.map(([what, v]) => [what, () => v]);
    const arg = base[i];
    if (typeof arg === 'object' && arg !== null) {
      for (const path of partsOf(arg, 10)) {
        variants.push([`${path.join('.')} read through a throwing getter`, () => withPart(arg, path, undefined, true)]);
        for (const [what, v] of cheap.filter((_, k) => k % 6 === (i + path.length) % 6)) variants.push([`${path.join('.')} = ${what}`, () => withPart(arg, path, v)]);
      }
    }
    for (const [what, make] of variants) {
      const args = valid();
      const before = args.map(picture);
      args[i] = make();
      const failure = await escaped(`${name} argument ${i}: ${what}`, () => call(...args));
      if (failure) failures.push(failure);
      args.forEach((a, k) => {
        if (k !== i && picture(a) !== before[k]) failures.push(`${name} argument ${i}: ${what} changed argument ${k}`);
      });
    }
  }
  return failures;
}

describe('every public function, attacked at every argument', () => {
  it.each(SYNC)('%s lets nothing but a PipelineError escape, and changes no valid argument', async (name, call, valid) => {
    // The valid arguments are valid: the attack changes one thing at a time.
    await expect(Promise.resolve().then(() => call(...valid()))).resolves.not.toThrow();
    expect(await attack(name, call, valid, 2)).toEqual([]);
  }, 120_000);

  const service = async () => {
    const repos = api.createMemoryRepositories();
    const s = api.createPipelineService({ ...repos, clock: () => T });
    for (const command of dealerCommands) await s.configure(command, { by: 'admin' });
    await s.createDeal({ id: 'd1', layoutId: 'sales', name: 'SUV' }, { by: 'ann' });
    return s;
  };
  const methods: [string, (s: api.PipelineService) => (...args: unknown[]) => unknown, () => unknown[]][] = [
    ['configure', (s) => s.configure as never, () => [{ type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { by: 'admin' }]],
    ['createDeal', (s) => s.createDeal as never, () => [{ id: 'd2', layoutId: 'sales', name: 'Van' }, { by: 'ann' }]],
    ['dispatch', (s) => s.dispatch as never, () => ['d1', { type: 'moveToStage', stageId: 'test-drive' }, { by: 'ann', expectedVersion: 1 }]],
    ['bulkUpdate', (s) => s.bulkUpdate as never, () => [{ dealIds: ['d1'], change: { type: 'updateDeal', patch: { ownerId: 'eve' } }, mode: 'bestEffort' }]],
    ['getDeal', (s) => s.getDeal as never, () => ['d1']],
    ['listDeals', (s) => s.listDeals as never, () => [{ pipelineId: 'new-cars', limit: 10 }]],
    ['board', (s) => s.board as never, () => ['new-cars', { perStage: 5, now: T }]],
    ['dwellStats', (s) => s.dwellStats as never, () => [{ now: T + DAY }]],
    ['applyConfiguration', (s) => s.applyConfiguration as never, () => [api.configurationOf(ws), { by: 'admin', dryRun: true }]],
  ];
  it.each(methods)('service.%s rejects with nothing but a PipelineError', async (name, method, valid) => {
    const s = await service();
    expect(await attack(`service.${name}`, method(s), valid, 2)).toEqual([]);
  }, 120_000);

  it('createPipelineService refuses hostile options with a PipelineError', async () => {
    const valid = () => [{ ...api.createMemoryRepositories(), clock: () => T }];
    expect(await attack('createPipelineService', api.createPipelineService as never, valid, 1)).toEqual([]);
  });
});
