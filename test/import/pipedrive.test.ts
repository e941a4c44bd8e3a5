import { describe, expect, it } from 'vitest';
import { conversionFunnel, dwellStats, stalledDeals, timeInStages } from '../../src/index.js';
import { fromPipedrive, toPipedriveStatistics } from '../../src/import.js';
import { at, codes, expectValid, fixture } from './helpers.js';

const payload = fixture('pipedrive.json') as { pipelines: { data: unknown[] }; stages: { data: unknown[] }; deals: { data: unknown[] }; flows: Record<string, unknown> };

describe('fromPipedrive', () => {
  const result = fromPipedrive(payload);
  const deal = (id: string) => result.deals.find((d) => d.id === id)!;
  const layout = result.workspace.layouts[0]!;

  it('gives a workspace and deals that keep every invariant', () => {
    expectValid(result);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/pipedrive.expected.json');
  });

  it('orders pipelines by order_nr, the first standard and default, and leaves out a deleted pipeline no deal is in', () => {
    expect(layout.pipelines.map((p) => [p.id, p.standard])).toEqual([['1', true], ['2', false]]);
    expect(layout.defaultPipelineId).toBe('1');
  });

  it('adds the won and lost stages that Pipedrive keeps as a deal status, to the picklist and every pipeline', () => {
    expect(layout.stages.slice(-2)).toEqual([
      { id: 'won', name: 'Won', probability: 100, outcome: 'won', forecastCategory: 'closed' },
      { id: 'lost', name: 'Lost', probability: 0, outcome: 'lost', forecastCategory: 'omitted' },
    ]);
    expect(layout.pipelines.map((p) => p.stages.map((s) => s.stageId))).toEqual([['1', '2', '3', '4', 'won', 'lost'], ['10', '11', 'won', 'lost']]);
  });

  it('reads rotting from v1 and v2 stage fields', () => {
    expect(layout.stages.find((s) => s.id === '2')?.rotAfterDays).toBe(14);
    expect(layout.stages.find((s) => s.id === '11')?.rotAfterDays).toBe(30);
    expect(layout.stages.find((s) => s.id === '1')?.rotAfterDays).toBeUndefined();
  });

  it('replays the flow: stage moves, a change of pipeline as one move, and the won status', () => {
    expect(deal('101').history.map((v) => [v.pipelineId, v.stageId, v.enteredAt, v.by])).toEqual([
      ['1', '1', at('2024-01-10T09:00:00Z'), null],
      ['1', '2', at('2024-01-15T09:00:00Z'), '7'],
      ['2', '10', at('2024-02-10T12:00:00Z'), '7'],
      ['2', 'won', at('2024-03-01T15:00:00Z'), '7'],
    ]);
    expect(deal('101')).toMatchObject({ pipelineId: '2', stageId: 'won', probability: 100, ownerId: '7', createdAt: at('2024-01-10T09:00:00Z') });
  });

  it('logs value and expected close date changes from the flow', () => {
    expect(deal('101').changes?.filter((c) => c.field !== 'probability')).toEqual([
      { at: at('2024-01-20T10:00:00Z'), by: '7', field: 'amount', from: 1000, to: 1500 },
      { at: at('2024-02-01T08:00:00Z'), by: '7', field: 'closingDate', from: '2024-03-31', to: '2024-04-30' },
    ]);
    expect(deal('101').history.map((v) => v.amount)).toEqual([1000, 1000, 1500, 1500]);
  });

  it('keeps a deleted stage that history names, with its name from the flow', () => {
    expect(deal('103').history.map((v) => v.stageId)).toEqual(['1', '5', '3']);
    expect(layout.stages.find((s) => s.id === '5')).toMatchObject({ name: 'Demo', probability: 50 });
    expect(layout.pipelines[0]!.stages.some((s) => s.stageId === '5')).toBe(false);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'stage_kept', path: 'payload.stages.data[2]' }));
  });

  it('places a lost deal without a flow in the lost stage at lost_time, keeping its lost reason', () => {
    expect(deal('102').history.map((v) => [v.stageId, v.enteredAt])).toEqual([['1', at('2024-02-01T10:00:00Z')], ['lost', at('2024-02-20T10:00:00Z')]]);
    expect(deal('102')).toMatchObject({ lostReason: 'Price', ownerId: '8' });
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'history_missing', path: 'payload.deals.data[1]' }));
  });

  it('leaves out a deleted deal, with a warning', () => {
    expect(result.deals.map((d) => d.id)).not.toContain('104');
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'deal_skipped', path: 'payload.deals.data[3]' }));
  });

  it('reads v1 instants as UTC and says so', () => {
    expect(deal('1').history[1]!.enteredAt).toBe(at('2026-07-28T08:05:56Z'));
    expect(codes(result)).toContain('time_zone_assumed');
  });

  it("keeps a deal's own probability and logs it", () => {
    expect(deal('1').probability).toBe(75);
    expect(deal('103').probability).toBe(60);
  });

  it("reproduces Pipedrive's conversion_statistics and average_age_in_days", () => {
    const stats = toPipedriveStatistics(result.workspace, result.deals, { pipelineId: '1', from: '2024-01-01T00:00:00Z', to: '2024-04-01T00:00:00Z' });
    expect(stats.conversion_statistics).toEqual({
      stage_conversions: [
        { from_stage_id: '1', to_stage_id: '2', conversion_rate: 66.67 },
        { from_stage_id: '2', to_stage_id: '3', conversion_rate: 50 },
        { from_stage_id: '3', to_stage_id: '4', conversion_rate: 0 },
      ],
      won_conversion: 0,
      lost_conversion: 33.33,
    });
    const age = (at('2024-04-01T00:00:00Z') - at('2024-01-05T08:00:00Z')) / 86_400_000;
    expect(stats.average_age_in_days).toEqual({ across_all_stages: age, by_stages: [{ stage_id: '3', value: age }] });
  });

  it('feeds dwellStats, conversionFunnel and stalledDeals', () => {
    expect(dwellStats(result.deals, { now: at('2024-04-01T00:00:00Z'), pipelineId: '1' }).map((r) => [r.stageId, r.visits])).toEqual([['1', 3], ['2', 1], ['5', 1]]);
    expect(conversionFunnel(result.workspace, result.deals, { pipelineId: '2' }).wonRate).toBe(0.5);
    expect(stalledDeals(result.workspace, result.deals, { now: at('2026-09-01T00:00:00Z') }).map((s) => s.dealId)).toEqual(['1']);
  });

  it('accepts bare arrays as well as { data } bodies', () => {
    const bare = fromPipedrive({ pipelines: payload.pipelines.data, stages: payload.stages.data, deals: payload.deals.data, flows: { 1: (payload.flows['1'] as { data: unknown[] }).data, 101: (payload.flows['101'] as { data: unknown[] }).data, 103: payload.flows['103'] } });
    expect({ w: bare.workspace, d: bare.deals }).toEqual({ w: result.workspace, d: result.deals });
  });

  it('refuses a malformed payload with invalid_input naming the JSON path', () => {
    const bad = structuredClone(payload);
    (bad.deals.data[2] as Record<string, unknown>).stage_id = { id: 3 };
    expect(() => fromPipedrive(bad)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'payload.deals.data[2].stage_id' } }));
    const badFlow = structuredClone(payload);
    (badFlow.flows['103'] as { data: unknown }[])[0]!.data = 'x';
    expect(() => fromPipedrive(badFlow)).toThrow(expect.objectContaining({ details: { path: 'payload.flows.103[0].data' } }));
  });
});

describe('fromPipedrive on deals with stay_in_pipeline_stages (GET /v1/deals/{id})', () => {
  const stays = fixture('pipedrive-stays.json') as never;
  const result = fromPipedrive(stays);
  const deal = (id: string) => result.deals.find((d) => d.id === id)!;

  it('matches the golden output', async () => {
    expectValid(result);
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/pipedrive-stays.expected.json');
  });

  it("recomputes Pipedrive's seconds in each stage, revisits and the stay ended by winning included", () => {
    const seconds = (id: string, stageId: string) => timeInStages(deal(id), { now: deal(id).updatedAt }).filter((r) => r.stageId === stageId).reduce((s, r) => s + r.cumulativeMs, 0) / 1000;
    expect([seconds('201', '1'), seconds('201', '2')]).toEqual([26 * 3600 + 25 * 3600, 24 * 3600]);
    expect(seconds('202', '2')).toBe(40 * 3600);
  });

  it('warns figure_mismatch only where the flow and the figures disagree, not for the open stay', () => {
    expect(result.warnings.filter((w) => w.code === 'figure_mismatch').map((w) => w.path)).toEqual(['payload.deals.data[2].stay_in_pipeline_stages.times_in_stages.2']);
  });

  it("dates a deal without add_time from its flow's add_time row", () => {
    expect(deal('204').createdAt).toBe(at('2024-02-13T21:00:00Z'));
  });

  it('reports the pipeline the payload gives no stage under pipeline_skipped', () => {
    expect(result.warnings.filter((w) => w.code === 'pipeline_skipped' || w.code === 'stage_kept').map((w) => [w.code, w.path])).toEqual([['pipeline_skipped', 'payload.pipelines.data[1]']]);
  });
});
