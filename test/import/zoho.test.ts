import { describe, expect, it } from 'vitest';
import { conversionFunnel, dwellStats } from '../../src/index.js';
import { fromZoho } from '../../src/import.js';
import { at, expectValid, fixture } from './helpers.js';

const payload = fixture('zoho.json') as { layouts: unknown[]; pipelines: Record<string, { pipeline: unknown[] } | null>; deals: { data: Record<string, unknown>[] }; stageHistory: Record<string, unknown>; stageProbabilities: Record<string, number> };
const STANDARD = '3652397000000091023';
const SERVICE = '3652397000000091055';
const S = (n: number) => `36523970000000068${String(n).padStart(2, '0')}`;

describe('fromZoho', () => {
  const result = fromZoho(payload);
  const deal = (id: string) => result.deals.find((d) => d.id === `57257670000012345${id}`)!;
  const layout = (id: string) => result.workspace.layouts.find((l) => l.id === id)!;

  it('gives a workspace and deals that keep every invariant', () => {
    expectValid(result);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/zoho.expected.json');
  });

  it('makes one layout per Zoho layout, its pipelines ordered subsets of its picklist by sequence_number', () => {
    const std = layout(STANDARD);
    expect(std.pipelines.map((p) => [p.id, p.name, p.standard])).toEqual([['3652397000003097001', 'Standard (Standard)', true], ['3652397000003097007', 'Pipeline1', false]]);
    expect(std.defaultPipelineId).toBe('3652397000003097001');
    expect(std.pipelines[1]!.stages.map((s) => s.stageId)).toEqual([S(1), S(11), S(15), S(17)]);
  });

  it('reads forecast_type as the outcome, forecast_category as the forecast category, probabilities from the Stage picklist', () => {
    const stages = layout(STANDARD).stages;
    expect(stages.find((s) => s.id === S(1))).toMatchObject({ name: 'Qualification', probability: 10, outcome: 'open', forecastCategory: 'pipeline' });
    expect(stages.find((s) => s.id === S(7))).toMatchObject({ probability: 60, forecastCategory: 'best_case' });
    expect(stages.find((s) => s.id === S(15))).toMatchObject({ probability: 100, outcome: 'won', forecastCategory: 'closed' });
    expect(stages.find((s) => s.id === S(17))).toMatchObject({ probability: 0, outcome: 'lost', forecastCategory: 'omitted' });
  });

  it('builds visits from Stage_History, times with their offset, rows repeating a stage into the change log', () => {
    const d = deal('67');
    expect(d.history.map((v) => [v.stageId, v.enteredAt, v.by])).toEqual([
      [S(1), at('2024-04-10T03:30:00Z'), null],
      [S(11), at('2024-05-02T04:41:12Z'), '3652397000000186017'],
    ]);
    expect(d.changes?.filter((c) => c.field !== 'probability')).toEqual([
      { at: at('2024-04-20T06:30:00Z'), by: '3652397000000186017', field: 'amount', from: 20000, to: 25000 },
      { at: at('2024-05-02T04:41:12Z'), by: '3652397000000186017', field: 'closingDate', from: '2024-05-31', to: '2024-06-15' },
    ]);
    expect(d).toMatchObject({ createdAt: at('2024-04-10T03:30:00Z'), currency: 'INR', ownerId: '3652397000000186017', probability: 90, version: 3 });
  });

  it('keeps history across a change of pipeline when rows name their pipeline, and a stage removed from the picklist', () => {
    expect(deal('68').history.map((v) => [v.pipelineId, v.stageId])).toEqual([
      ['3652397000003097001', S(1)],
      ['3652397000003097001', S(3)],
      ['3652397000003097001', 'Perception Analysis'],
      ['3652397000003097007', S(11)],
      ['3652397000003097007', S(15)],
    ]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'stage_kept', path: 'payload.deals.data[1]' }));
  });

  it('keeps the lost reason of a lost deal and assumes a visit from creation without history', () => {
    expect(deal('69')).toMatchObject({ lostReason: 'Price', amount: 4100.75, createdAt: at('2024-04-15T13:00:00Z') });
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'history_missing', path: 'payload.deals.data[2]' }));
  });

  it('keeps deals of a layout without pipelines outside pipelines, its picklist from the stage names used', () => {
    expect(layout(SERVICE).pipelines).toEqual([]);
    expect(layout(SERVICE).stages.map((s) => s.id)).toEqual(['Analysis', 'Repair']);
    expect(deal('70').history.map((v) => [v.pipelineId, v.stageId])).toEqual([[null, 'Analysis'], [null, 'Repair']]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'probability_guessed', message: expect.stringContaining('Repair') }));
  });

  it('feeds dwellStats and conversionFunnel', () => {
    expect(dwellStats(result.deals, { now: at('2024-06-01T00:00:00Z'), pipelineId: '3652397000003097001' }).map((r) => [r.stageId, r.visits])).toEqual([
      [S(1), 2], [S(3), 1], ['Perception Analysis', 1],
    ]);
    expect(conversionFunnel(result.workspace, result.deals, { pipelineId: '3652397000003097007' }).wonRate).toBe(1);
  });

  it('accepts the bare arrays as well as the { data } and { pipeline } bodies', () => {
    const bare = fromZoho({ ...payload, pipelines: { [STANDARD]: payload.pipelines[STANDARD]!.pipeline }, deals: payload.deals.data });
    expect(bare.deals).toEqual(result.deals);
    expect(bare.workspace).toEqual(result.workspace);
  });

  it('refuses a malformed payload with invalid_input naming the JSON path', () => {
    const bad = structuredClone(payload);
    (bad.pipelines[STANDARD]!.pipeline[1] as { maps: unknown[] }).maps[2] = { id: null };
    expect(() => fromZoho(bad)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: `payload.pipelines.${STANDARD}.pipeline[1].maps[2].id` } }));
  });
});
