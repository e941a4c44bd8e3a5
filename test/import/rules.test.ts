import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Deal, Workspace } from '../../src/index.js';
import { fromHubSpot, fromPipedrive, fromSalesforce, fromZoho, toStageRows, type ImportResult, type ImportWarning, type StageRow } from '../../src/import.js';
import { at, expectValid } from './helpers.js';

const stage = (id: string, probability: string, isClosed = 'false', archived = false) => ({ id, label: id, displayOrder: 0, metadata: { isClosed, probability }, archived });
const pipelines = [
  { id: 'default', label: 'Sales', displayOrder: 0, stages: [stage('a', '0.1'), stage('b', '0.5'), stage('won', '1.0', 'true'), stage('gone', '0.3', 'false', true)] },
  { id: 'old', label: 'Old', displayOrder: 1, archived: true, stages: [stage('x', '0.2')] },
];
const hubDeal = (id: string, dealstage: string, pipeline: string, history: [string, string][]) => ({
  id,
  properties: { dealname: id, dealstage, pipeline, hs_lastmodifieddate: '2024-03-01T00:00:00Z' },
  propertiesWithHistory: { dealstage: history.map(([value, timestamp]) => ({ value, timestamp })) },
});

describe('every importer', () => {
  it('keeps an archived pipeline while a deal is in it, and leaves it out otherwise', () => {
    const kept = fromHubSpot({ pipelines, deals: [hubDeal('1', 'x', 'old', [['x', '2024-01-01T00:00:00Z']])] });
    expectValid(kept);
    expect(kept.workspace.layouts[0]!.pipelines.map((p) => p.id)).toEqual(['default', 'old']);
    expect(kept.warnings).toContainEqual(expect.objectContaining({ code: 'pipeline_kept', path: 'payload.pipelines[1]' }));
    expect(fromHubSpot({ pipelines, deals: [] }).workspace.layouts[0]!.pipelines.map((p) => p.id)).toEqual(['default']);
  });

  it('adds a deal\'s current stage to its pipeline when the pipeline no longer lists it', () => {
    const r = fromHubSpot({ pipelines, deals: [hubDeal('1', 'gone', 'default', [['a', '2024-01-01T00:00:00Z'], ['gone', '2024-01-05T00:00:00Z']])] });
    expectValid(r);
    expect(r.workspace.layouts[0]!.pipelines[0]!.stages.map((s) => s.stageId)).toEqual(['a', 'b', 'won', 'gone']);
    expect(r.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['stage_kept', 'stage_added_to_pipeline']));
  });

  it('completes a history that does not end where the deal is, with a move at its last update', () => {
    const r = fromHubSpot({ pipelines, deals: [hubDeal('1', 'b', 'default', [['a', '2024-01-01T00:00:00Z']])] });
    expectValid(r);
    expect(r.deals[0]!.history.map((v) => [v.stageId, v.enteredAt])).toEqual([['a', at('2024-01-01T00:00:00Z')], ['b', at('2024-03-01T00:00:00Z')]]);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'history_completed', path: 'payload.deals[0]' }));
  });

  it('clamps probabilities outside the range and drops unreadable dates, with warnings', () => {
    const r = fromSalesforce({
      stages: [{ ApiName: 'Open', MasterLabel: 'Open', SortOrder: 1, IsActive: true, IsClosed: false, IsWon: false, DefaultProbability: 140 }],
      opportunities: [{ Id: '1', Name: 'A', StageName: 'Open', CloseDate: '2024-02-30', CreatedDate: '2024-01-01T00:00:00Z' }],
      history: [],
    });
    expectValid(r);
    expect(r.workspace.layouts[0]!.stages[0]!.probability).toBe(100);
    expect(r.deals[0]!.closingDate).toBeNull();
    expect(r.warnings.map((w) => [w.code, w.path])).toEqual(expect.arrayContaining([
      ['probability_clamped', 'payload.stages[0].DefaultProbability'],
      ['value_dropped', 'payload.opportunities[0].CloseDate'],
    ]));
  });

  it('reads instants without a zone as UTC, never in the machine\'s zone, and says so', () => {
    const r = fromZoho({
      layouts: [{ id: 'L', name: 'Deals' }],
      pipelines: {},
      deals: [{ id: '1', Deal_Name: 'A', Stage: 'Open', Layout: { id: 'L' }, Created_Time: '2024-01-01T10:00:00' }],
    });
    expectValid(r);
    expect(r.deals[0]!.createdAt).toBe(Date.UTC(2024, 0, 1, 10));
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'time_zone_assumed' }));
  });

  it('refuses prototype-polluting keys and over-long ids with invalid_input naming the path', () => {
    const flows = JSON.parse('{"__proto__": []}') as unknown;
    expect(() => fromPipedrive({ pipelines: [], stages: [], deals: [], flows })).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'payload.flows.__proto__' } }));
    expect(() => fromPipedrive({ pipelines: [{ id: 'p'.repeat(300) }], stages: [], deals: [] })).toThrow(expect.objectContaining({ details: { path: 'payload.pipelines[0].id' } }));
    expect(() => fromHubSpot({ pipelines: [{ id: 'constructor', stages: [] }], deals: [] })).toThrow(expect.objectContaining({ details: { path: 'payload.pipelines[0].id' } }));
  });

  it('has the documented types', () => {
    expectTypeOf(fromHubSpot).returns.toEqualTypeOf<ImportResult>();
    expectTypeOf(fromZoho).returns.toEqualTypeOf<ImportResult>();
    expectTypeOf<ImportResult['workspace']>().toEqualTypeOf<Workspace>();
    expectTypeOf<ImportResult['deals']>().toEqualTypeOf<Deal[]>();
    expectTypeOf<ImportWarning>().toHaveProperty('path').toEqualTypeOf<string>();
    expectTypeOf(toStageRows).returns.toEqualTypeOf<StageRow[]>();
  });
});

describe('a deal listed twice', () => {
  it('is imported once, from its first record, with a warning', () => {
    const deal = hubDeal('1', 'a', 'default', [['a', '2024-01-01T00:00:00Z']]);
    const r = fromHubSpot({ pipelines, deals: [deal, { ...deal, properties: { ...deal.properties, dealname: 'again' } }] });
    expect(r.deals.map((d) => [d.id, d.name])).toEqual([['1', '1']]);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'deal_skipped', path: 'payload.deals[1]' }));
  });
});
