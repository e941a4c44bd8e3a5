import { describe, expect, it } from 'vitest';
import { fromSalesforce, SALESFORCE_STANDARD_PIPELINE_ID as STANDARD } from '../../src/import.js';
import { expectValid, fixture } from './helpers.js';

// Sales processes in the Salesforce CLI's source format, record types naming their process, and
// OpportunityHistory with the columns that order rows of one transaction.
type Rec = Record<string, unknown>;
const payload = fixture('salesforce-processes.json') as { stages: { records: Rec[] }; businessProcesses: Rec[]; recordTypes: Rec[]; opportunities: { records: Rec[] }; history: { records: Rec[] } };
const ENTERPRISE = 'Opportunity.Enterprise Sales';
const PARTNER = 'Opportunity.Partner Sales';
const RENEWAL = 'Opportunity.Renewal';

describe('fromSalesforce on sales processes and history rows of one transaction', () => {
  const result = fromSalesforce(payload);
  const deal = (n: number) => result.deals.find((d) => d.id === `0065g00000A${n}AAA`)!;
  const visits = (n: number) => deal(n).history.map((v) => [v.pipelineId, v.stageId]);

  it('gives a workspace and deals that keep every invariant', () => {
    expectValid(result);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/salesforce-processes.expected.json');
  });

  it('reads business processes whose fullName lacks the object, as the CLI writes them', () => {
    expect(result.workspace.layouts[0]!.pipelines.map((p) => [p.id, p.name])).toEqual([
      [STANDARD, 'All stages'], [ENTERPRISE, 'Enterprise Sales'], [PARTNER, 'Partner Sales'], [RENEWAL, 'Renewal'],
    ]);
    expect(deal(2).pipelineId).toBe(PARTNER);
  });

  it("leaves out, with a warning, a source-format process whose values are another object's", () => {
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'value_dropped', path: 'payload.businessProcesses[3]' }));
  });

  it('puts a visit whose stage only another process lists in that process, with a warning', () => {
    expect(visits(2)).toEqual([[ENTERPRISE, 'Prospecting'], [ENTERPRISE, 'Qualification'], [PARTNER, 'Proposal/Price Quote']]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'pipeline_guessed', path: 'payload.history.records[5]' }));
  });

  it('puts a visit whose stage several processes list in the standard pipeline, with a warning', () => {
    expect(visits(1)).toEqual([[STANDARD, 'Prospecting'], [STANDARD, 'Needs Analysis'], [ENTERPRISE, 'Qualification'], [ENTERPRISE, 'Negotiation/Review']]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'pipeline_guessed', path: 'payload.history.records[1]' }));
  });

  it('never places a visit in a pipeline that does not list its stage', () => {
    const lists = new Map(result.workspace.layouts[0]!.pipelines.map((p) => [p.id, new Set(p.stages.map((s) => s.stageId))]));
    for (const d of result.deals) for (const v of d.history) expect(lists.get(v.pipelineId!)!.has(v.stageId)).toBe(true);
  });

  it('orders rows sharing a CreatedDate by FromOpportunityStageName', () => {
    expect(visits(3).map(([, s]) => s)).toEqual(['Prospecting', 'Qualification', 'Negotiation/Review', 'Closed Won']);
    expect(result.warnings.filter((w) => w.path === 'payload.opportunities.records[2]')).toEqual([]);
  });

  it('orders rows sharing a CreatedDate by ValidThroughDate and PrevOpportunityStageUpdate', () => {
    expect(visits(4)).toEqual([[RENEWAL, 'Needs Analysis'], [RENEWAL, 'Proposal/Price Quote'], [RENEWAL, 'Closed Lost']]);
  });

  it('orders rows sharing a CreatedDate by FromForecastCategory', () => {
    expect(visits(5).map(([, s]) => s)).toEqual(['Prospecting', 'Proposal/Price Quote', 'Negotiation/Review']);
  });

  it('keeps the order of the payload for rows that share a CreatedDate and say nothing of their order', () => {
    const bare = structuredClone(payload);
    for (const r of bare.history.records) for (const k of ['FromOpportunityStageName', 'FromForecastCategory', 'ValidThroughDate', 'PrevOpportunityStageUpdate']) delete r[k];
    expect(fromSalesforce(bare).deals[2]!.history.map((v) => v.stageId)).toEqual(['Closed Won', 'Prospecting', 'Negotiation/Review', 'Qualification', 'Closed Won']);
  });

  it('refuses an unreadable FromOpportunityStageName with invalid_input naming it', () => {
    const bad = structuredClone(payload);
    bad.history.records[1]!.FromOpportunityStageName = 12;
    expect(() => fromSalesforce(bad)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'payload.history.records[1].FromOpportunityStageName' } }));
  });
});
