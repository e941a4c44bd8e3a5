import { describe, expect, it } from 'vitest';
import { conversionFunnel, dwellStats, isPipelineError, timeInStages } from '../../src/index.js';
import { fromHubSpot, toHubSpotTimeProperties } from '../../src/import.js';
import { at, codes, expectValid, fixture } from './helpers.js';

const payload = fixture('hubspot.json') as { pipelines: { results: unknown[] }; deals: { results: unknown[] } };

describe('fromHubSpot', () => {
  const result = fromHubSpot(payload);
  const deal = (id: string) => result.deals.find((d) => d.id === id)!;

  it('gives a workspace and deals that keep every invariant', () => {
    expectValid(result);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/hubspot.expected.json');
  });

  it('puts every pipeline in one layout, the pipeline "default" standard and default', () => {
    const [layout] = result.workspace.layouts;
    expect(result.workspace.layouts).toHaveLength(1);
    expect(layout!.defaultPipelineId).toBe('default');
    expect(layout!.pipelines.map((p) => [p.id, p.standard])).toEqual([['default', true], ['7331', false]]);
  });

  it('reads probabilities given as fractions in strings as percentages, and closed stages as won or lost', () => {
    const stages = result.workspace.layouts[0]!.stages;
    expect(stages.find((s) => s.id === 'appointmentscheduled')).toMatchObject({ probability: 20, outcome: 'open', forecastCategory: 'pipeline' });
    expect(stages.find((s) => s.id === 'closedwon')).toMatchObject({ probability: 100, outcome: 'won', forecastCategory: 'closed' });
    expect(stages.find((s) => s.id === 'closedlost')).toMatchObject({ probability: 0, outcome: 'lost' });
  });

  it('keeps an archived stage that history names in the picklist, out of the pipeline, with a warning', () => {
    const layout = result.workspace.layouts[0]!;
    expect(layout.stages.some((s) => s.id === 'decisionmakerboughtin')).toBe(true);
    expect(layout.pipelines[0]!.stages.some((s) => s.stageId === 'decisionmakerboughtin')).toBe(false);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'stage_kept', path: 'payload.pipelines.results[0].stages[3]' }));
  });

  it('merges the dealstage and pipeline histories, keeping history across a change of pipeline', () => {
    expect(deal('12346').history.map((v) => [v.pipelineId, v.stageId, new Date(v.enteredAt).toISOString()])).toEqual([
      ['default', 'appointmentscheduled', '2024-03-01T08:00:00.000Z'],
      ['default', 'qualifiedtobuy', '2024-03-05T08:00:00.000Z'],
      ['default', 'appointmentscheduled', '2024-03-11T08:00:00.000Z'],
      ['default', 'decisionmakerboughtin', '2024-03-20T10:00:00.000Z'],
      ['7331', '8001', '2024-04-15T09:30:00.000Z'],
    ]);
    expect(deal('12346')).toMatchObject({ pipelineId: '7331', stageId: '8001', createdAt: at('2024-03-01T08:00:00Z') });
  });

  it('logs amount and close-date history in the change log, and snapshots them on each visit', () => {
    const d = deal('12345');
    expect(d.changes).toEqual([
      { at: at('2024-04-20T12:00:00Z'), by: '42', field: 'amount', from: 50000, to: 55000 },
      { at: at('2024-04-25T08:00:00Z'), by: '42', field: 'closingDate', from: '2024-04-30', to: '2024-05-31' },
      { at: at('2024-05-02T10:00:00Z'), by: '42', field: 'probability', from: 40, to: 100 },
    ]);
    expect(d.history.map((v) => [v.amount, v.closingDate, v.probability, v.expectedRevenue])).toEqual([
      [50000, '2024-04-30', 40, 20000],
      [55000, '2024-05-31', 100, 55000],
    ]);
    expect(d).toMatchObject({ amount: 55000, currency: 'USD', closingDate: '2024-05-31', ownerId: '42', version: 4 });
  });

  it('rebuilds history from hs_v2_date_entered_* and hs_v2_date_exited_* when there is no property history, without a warning when they determine it', () => {
    expect(deal('12347').history.map((v) => [v.stageId, v.enteredAt, v.exitedAt])).toEqual([
      ['appointmentscheduled', at('2024-04-01T09:00:00Z'), at('2024-04-03T09:00:00Z')],
      ['qualifiedtobuy', at('2024-04-03T09:00:00Z'), at('2024-04-09T09:00:00Z')],
      ['presentationscheduled', at('2024-04-09T09:00:00Z'), null],
    ]);
    expect(result.warnings.filter((w) => w.path.startsWith('payload.deals.results[2]'))).toEqual([]);
  });

  it("reproduces HubSpot's hs_v2_cumulative_time_in_* from the imported history, and warns where they differ", () => {
    expect(toHubSpotTimeProperties(deal('12345'))).toMatchObject({ hs_v2_cumulative_time_in_qualifiedtobuy: '1904400000', hs_v2_date_entered_closedwon: '2024-05-02T10:00:00.000Z' });
    expect(toHubSpotTimeProperties(deal('12346')).hs_v2_cumulative_time_in_appointmentscheduled).toBe('1130400000');
    const t = timeInStages(deal('12346'), { now: at('2024-05-01T00:00:00Z') }).find((r) => r.stageId === 'appointmentscheduled');
    expect(t).toMatchObject({ visits: 2, cumulativeMs: 1130400000, latestMs: 9 * 86_400_000 + 7_200_000 });
    const mismatches = result.warnings.filter((w) => w.code === 'figure_mismatch');
    expect(mismatches.map((w) => w.path)).toEqual(['payload.deals.results[1].properties.hs_v2_cumulative_time_in_decisionmakerboughtin']);
  });

  it('drops an empty amount without a warning, and an unreadable one with a warning', () => {
    expect(deal('12347').amount).toBeNull();
    const bad = structuredClone(payload);
    (bad.deals.results[2] as { properties: Record<string, unknown> }).properties.amount = 'lots';
    const r = fromHubSpot(bad);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'value_dropped', path: 'payload.deals.results[2].properties.amount' }));
  });

  it('accepts the bare arrays as well as the { results } bodies', () => {
    const bare = fromHubSpot({ pipelines: payload.pipelines.results, deals: payload.deals.results });
    expect({ workspace: bare.workspace, deals: bare.deals }).toEqual({ workspace: result.workspace, deals: result.deals });
    expect(bare.warnings.map((w) => w.path.replace('.results', ''))).toEqual(result.warnings.map((w) => w.path.replace('.results', '')));
  });

  it('feeds dwellStats and conversionFunnel', () => {
    expect(dwellStats(result.deals, { now: at('2024-06-01T00:00:00Z'), pipelineId: 'default' }).find((r) => r.stageId === 'qualifiedtobuy')).toMatchObject({ visits: 3 });
    const funnel = conversionFunnel(result.workspace, result.deals, { pipelineId: 'default' });
    expect(funnel.deals).toBe(3);
    expect(funnel.wonRate).toBeCloseTo(1 / 3);
  });

  it('refuses a malformed payload with invalid_input naming the JSON path', () => {
    const bad = structuredClone(payload);
    (bad.pipelines.results[1] as { stages: unknown }).stages = 'none';
    expect(() => fromHubSpot(bad)).toThrow(expect.objectContaining({ code: 'invalid_input', details: expect.objectContaining({ path: 'payload.pipelines.results[1].stages' }) }));
    try {
      fromHubSpot({ pipelines: [], deals: [{ id: {} }] });
    } catch (e) {
      expect(isPipelineError(e, 'invalid_input') && e.details.path).toBe('payload.deals[0].id');
    }
  });

  it('warns about what it guessed', () => {
    expect(codes(result)).toEqual(expect.arrayContaining(['stage_kept', 'figure_mismatch']));
  });
});
