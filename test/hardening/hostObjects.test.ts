import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { toPipedriveStatistics } from '../../src/import.js';
import { dealerCommands, dealerWorkspace } from '../../examples/dealership.js';
import { T0 } from '../helpers/dealer.js';

/** Every object inside `value` that is frozen, by path. */
function frozenParts(value: unknown, path = 'value', out: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return out;
  if (Object.isFrozen(value)) out.push(path);
  for (const [k, v] of Object.entries(value)) frozenParts(v, `${path}.${k}`, out);
  return out;
}

/** The dealer's workspace as a host holds it: plain objects of its own, e.g. parsed from JSON. */
const hostWorkspace = (): api.Workspace => JSON.parse(JSON.stringify(dealerWorkspace())) as api.Workspace;
const deal = api.applyDeal(dealerWorkspace(), null, { type: 'createDeal', deal: { id: 'd1', layoutId: 'sales', name: 'SUV', amount: 100, currency: 'EUR' } }, { at: T0 }).deal;
const window = { from: T0 - 1, to: T0 + 1 };

const uses: [string, (ws: api.Workspace) => unknown][] = [
  ['applyWorkspace', (ws) => api.applyWorkspace(ws, { type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { at: T0 })],
  ['decideWorkspace', (ws) => api.decideWorkspace(ws, { type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { at: T0 })],
  ['applyDeal', (ws) => api.applyDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 })],
  ['decideDeal', (ws) => api.decideDeal(ws, deal, { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1 })],
  ['checkTransition', (ws) => api.checkTransition(ws, deal, { stageId: 'quote' })],
  ['allowedStages', (ws) => api.allowedStages(ws, deal)],
  ['stageOptions', (ws) => api.stageOptions(ws, deal)],
  ['suggestStageMap', (ws) => api.suggestStageMap(ws, 'new-cars', 'used-cars')],
  ['planBulkUpdate', (ws) => api.planBulkUpdate(ws, [deal], { type: 'moveToStage', stageId: 'test-drive' }, { at: T0 + 1, mode: 'bestEffort' })],
  ['weightedPipeline', (ws) => api.weightedPipeline(ws, [deal])],
  ['stalledDeals', (ws) => api.stalledDeals(ws, [deal], { now: T0 + 1 })],
  ['conversionFunnel', (ws) => api.conversionFunnel(ws, [deal], { pipelineId: 'new-cars' })],
  ['movementStats', (ws) => api.movementStats(ws, [deal], window)],
  ['stageConversion', (ws) => api.stageConversion(ws, [deal], { ...window, pipelineId: 'new-cars' })],
  ['pipelineSnapshot', (ws) => api.pipelineSnapshot(ws, [deal], T0)],
  ['pipelineWaterfall', (ws) => api.pipelineWaterfall(ws, [deal], window)],
  ['pipelineCoverage', (ws) => api.pipelineCoverage(ws, [deal], { ...window, target: 1000 })],
  ['planConfiguration', (ws) => api.planConfiguration(ws, api.configurationOf(dealerWorkspace()))],
  ['configurationOf', (ws) => api.configurationOf(ws)],
  ['toPipedriveStatistics', (ws) => toPipedriveStatistics(ws, [deal], { ...window, pipelineId: 'new-cars' })],
  ['createMemoryRepositories', (ws) => api.createMemoryRepositories({ workspace: ws })],
  ['memory workspace.save', (ws) => api.createMemoryRepositories().workspace.save(ws, 0)],
  ['evolveWorkspace', (ws) => api.evolveWorkspace(ws, api.decideWorkspace(dealerWorkspace(), { type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { at: T0 })[0]!)],
];

describe('a host’s own workspace object', () => {
  it.each(uses)('is left as it was, unfrozen, by %s', async (_, use) => {
    const ws = hostWorkspace();
    const before = JSON.stringify(ws);
    await use(ws);
    expect(frozenParts(ws)).toEqual([]);
    expect(JSON.stringify(ws)).toBe(before);
    // the host edits its own object afterwards, as it could before the call
    ws.layouts[0]!.name = 'Edited';
    ws.layouts[0]!.stages.push({ ...ws.layouts[0]!.stages[0]!, id: 'extra' });
    expect(ws.layouts[0]!.name).toBe('Edited');
  });

  it('is read as it is at each call: an edit after a call is seen by the next', () => {
    const ws = hostWorkspace();
    expect(api.configurationOf(ws).layouts[0]!.name).toBe('Sales');
    ws.layouts[0]!.name = 'Cars';
    expect(api.configurationOf(ws).layouts[0]!.name).toBe('Cars');
  });

  it('leaves the events a host replays unfrozen', () => {
    const events = dealerCommands.reduce<{ ws: api.Workspace; events: api.WorkspaceEvent[] }>((acc, command) => {
      const r = api.applyWorkspace(acc.ws, command, { at: T0 });
      return { ws: r.workspace, events: [...acc.events, ...r.events] };
    }, { ws: api.emptyWorkspace(), events: [] }).events;
    const own = JSON.parse(JSON.stringify(events)) as api.WorkspaceEvent[];
    const replayed = api.replayWorkspace(own);
    expect(frozenParts(own)).toEqual([]);
    expect(Object.isFrozen(replayed.layouts[0]!.stages[0])).toBe(true);
  });

  it('still yields frozen results, and a workspace the library returned is used as it is', () => {
    const { workspace } = api.applyWorkspace(hostWorkspace(), { type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { at: T0 });
    expect(Object.isFrozen(workspace.layouts[0]!.stages[0])).toBe(true);
    expect(api.applyWorkspace(workspace, { type: 'renameLayout', layoutId: 'sales', name: 'Cars' }, { at: T0 }).workspace).toBe(workspace);
  });

  it('is used as it is, without a copy, when the host froze it deeply itself (as the stores do)', () => {
    const deepFreeze = (v: unknown): void => {
      if (typeof v === 'object' && v !== null) {
        Object.freeze(v);
        Object.values(v).forEach(deepFreeze);
      }
    };
    const ws = hostWorkspace();
    deepFreeze(ws);
    expect(api.applyWorkspace(ws, { type: 'renameLayout', layoutId: 'sales', name: 'Sales' }, { at: T0 }).workspace).toBe(ws);
  });
});
