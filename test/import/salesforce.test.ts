import { describe, expect, it } from 'vitest';
import { conversionFunnel, dwellStats } from '../../src/index.js';
import { fromSalesforce, SALESFORCE_STANDARD_PIPELINE_ID } from '../../src/import.js';
import { at, expectValid, fixture } from './helpers.js';

type Body = { records: unknown[] };
const payload = fixture('salesforce.json') as { stages: Body; opportunities: Body; history: Body; businessProcesses: unknown[]; recordTypes: Body };

describe('fromSalesforce', () => {
  const result = fromSalesforce(payload as never);
  const deal = (id: string) => result.deals.find((d) => d.id === id)!;
  const layout = result.workspace.layouts[0]!;

  it('gives a workspace and deals that keep every invariant', () => {
    expectValid(result);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/salesforce.expected.json');
  });

  it('reads OpportunityStage: outcome from IsClosed and IsWon, DefaultProbability, forecast category', () => {
    expect(layout.stages.find((s) => s.id === 'Perception Analysis')).toMatchObject({ probability: 70, outcome: 'open', forecastCategory: 'best_case' });
    expect(layout.stages.find((s) => s.id === 'Negotiation/Review')).toMatchObject({ forecastCategory: 'commit' });
    expect(layout.stages.find((s) => s.id === 'Closed Won')).toMatchObject({ probability: 100, outcome: 'won', forecastCategory: 'closed' });
    expect(layout.stages.find((s) => s.id === 'Closed Lost')).toMatchObject({ outcome: 'lost', forecastCategory: 'omitted' });
  });

  it('makes the standard pipeline of every active stage and one pipeline per sales process of opportunities', () => {
    expect(layout.pipelines.map((p) => [p.id, p.standard, p.stages.length])).toEqual([
      [SALESFORCE_STANDARD_PIPELINE_ID, true, 10],
      ['Opportunity.Enterprise', false, 5],
      ['019000000000SMB', false, 4],
    ]);
    expect(layout.pipelines[2]!.stages.map((s) => s.stageId)).toEqual(['Prospecting', 'Value Proposition', 'Closed Won', 'Closed Lost']);
    expect(layout.pipelines[1]!.stages.map((s) => s.stageId)).toContain('Negotiation/Review');
  });

  it('places an opportunity in the sales process of its record type, or the standard pipeline', () => {
    expect([deal('006xx1').pipelineId, deal('006xx2').pipelineId, deal('006xx3').pipelineId]).toEqual(['Opportunity.Enterprise', SALESFORCE_STANDARD_PIPELINE_ID, '019000000000SMB']);
    expect(deal('006xx4').pipelineId).toBe(SALESFORCE_STANDARD_PIPELINE_ID);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'pipeline_guessed', path: 'payload.opportunities.records[3].RecordTypeId' }));
  });

  it('builds visits from the documented OpportunityHistory rows, with their snapshots', () => {
    expect(deal('006xx1').history.map((v) => [v.stageId, v.enteredAt, v.amount, v.probability, v.closingDate, v.forecastCategory])).toEqual([
      ['Prospecting', at('2024-04-01T08:00:00Z'), 50000, 10, '2024-06-30', 'pipeline'],
      ['Negotiation/Review', at('2024-05-10T12:00:00Z'), 55000, 90, '2024-07-31', 'commit'],
    ]);
  });

  it('collapses rows written for amount or close-date changes into the change log, keeping the push of the close date', () => {
    expect(deal('006xx2').history.map((v) => v.stageId)).toEqual(['Prospecting', 'Qualification', 'Legacy Review', 'Closed Lost']);
    expect(deal('006xx2').changes?.filter((c) => c.field !== 'probability')).toEqual([
      { at: at('2024-03-10T09:00:00Z'), by: '005B', field: 'amount', from: 10000, to: 12000 },
      { at: at('2024-03-20T09:00:00Z'), by: '005B', field: 'closingDate', from: '2024-05-31', to: '2024-06-30' },
    ]);
    expect(deal('006xx2').version).toBe(6);
  });

  it('keeps an inactive stage that history names, and the lost reason of a lost opportunity', () => {
    expect(layout.stages.some((s) => s.id === 'Legacy Review')).toBe(true);
    expect(layout.pipelines[0]!.stages.some((s) => s.stageId === 'Legacy Review')).toBe(false);
    expect(deal('006xx2').lostReason).toBe('Budget');
  });

  it('reads instants with their offset', () => {
    expect(deal('006xx4').createdAt).toBe(at('2024-05-02T16:00:00Z'));
  });

  it('leaves out deleted history rows, with a warning', () => {
    expect(deal('006xx2').history[0]!.amount).toBe(10000);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'row_skipped', path: 'payload.history.records[8]' }));
  });

  it('without business processes, makes one pipeline of all active stages', () => {
    const { businessProcesses: _, recordTypes: __, ...rest } = payload;
    const plain = fromSalesforce(rest as never);
    expectValid(plain);
    expect(plain.workspace.layouts[0]!.pipelines.map((p) => p.id)).toEqual([SALESFORCE_STANDARD_PIPELINE_ID]);
    expect(new Set(plain.deals.map((d) => d.pipelineId))).toEqual(new Set([SALESFORCE_STANDARD_PIPELINE_ID]));
  });

  it('feeds dwellStats and conversionFunnel', () => {
    expect(dwellStats(result.deals, { now: at('2024-06-01T00:00:00Z'), pipelineId: SALESFORCE_STANDARD_PIPELINE_ID }).map((r) => r.stageId)).toEqual(['Legacy Review', 'Prospecting', 'Qualification']);
    expect(conversionFunnel(result.workspace, result.deals, { pipelineId: SALESFORCE_STANDARD_PIPELINE_ID }).lostRate).toBe(0.5);
  });

  it('accepts the bare arrays as well as the { records } bodies', () => {
    const bare = fromSalesforce({ stages: payload.stages.records, opportunities: payload.opportunities.records, history: payload.history.records, businessProcesses: payload.businessProcesses, recordTypes: payload.recordTypes.records });
    expect(bare.deals).toEqual(result.deals);
  });

  it('refuses a malformed payload with invalid_input naming the JSON path', () => {
    const bad = structuredClone(payload);
    (bad.history.records[1] as Record<string, unknown>).StageName = 7.5;
    expect(() => fromSalesforce(bad as never)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'payload.history.records[1].StageName' } }));
  });
});
