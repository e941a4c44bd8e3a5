import { describe, expect, it } from 'vitest';
import { fromSalesforce, SALESFORCE_STANDARD_PIPELINE_ID as STANDARD } from '../../src/import.js';
import { at, expectValid } from './helpers.js';
import { vendorFile } from './vendorFile.js';

// Real exports nobody on the project wrote (see /work/shared/vendor-exports/PROVENANCE.md).
type Body = { records: Record<string, unknown>[] };
const real = (name: string) => vendorFile('salesforce', name) as { stages: Body; opportunities: Body; history: Body; businessProcesses: Body; recordTypes: Body };
const UPSELL = '01J000000000001AAA';
const SUCCESS = '01J000000000002AAA';

describe('fromSalesforce on a Developer Edition org export', () => {
  const payload = real('de-org-2026.json');
  const result = fromSalesforce(payload);

  it('imports every opportunity into a valid workspace', () => {
    expectValid(result);
    expect(result.deals).toHaveLength(payload.opportunities.records.length);
    expect(result.warnings.map((w) => w.code).filter((c) => c !== 'value_without_history' && c !== 'history_missing')).toEqual([]);
  });

  it('orders history listed out of order by CreatedDate', () => {
    const d = result.deals.find((x) => x.id === '006bm00000LKJNbAAP')!;
    expect(d.history.map((v) => [v.stageId, v.enteredAt])).toEqual([['Closed Won', at('2026-02-23T20:55:00Z')], ['Closed Lost', at('2026-03-07T20:59:00Z')]]);
  });
});

describe("fromSalesforce on Gusto's production sales processes", () => {
  const metadata = real('gusto-metadata.json');
  // One constructed opportunity: a customer-success deal moved to the upsell record type.
  const opportunities = [{ Id: '006GUSTO001', Name: 'Tier upsell', StageName: 'Commit', RecordTypeId: '01240000000001AAA', CreatedDate: '2025-01-06T15:00:00.000+0000', LastModifiedDate: '2025-02-03T15:00:00.000+0000' }];
  const history = [
    { OpportunityId: '006GUSTO001', StageName: 'New', CreatedDate: '2025-01-06T15:00:00.000+0000' },
    { OpportunityId: '006GUSTO001', StageName: 'Second Call Scheduled', CreatedDate: '2025-01-15T15:00:00.000+0000' },
    { OpportunityId: '006GUSTO001', StageName: 'Commit', CreatedDate: '2025-02-03T15:00:00.000+0000' },
  ];

  it('puts the visit to a stage only the other process has in that process', () => {
    const result = fromSalesforce({ ...metadata, opportunities, history });
    expectValid(result);
    expect(result.deals[0]!.history.map((v) => [v.pipelineId, v.stageId])).toEqual([[SUCCESS, 'New'], [SUCCESS, 'Second Call Scheduled'], [UPSELL, 'Commit']]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'pipeline_guessed', path: 'payload.history[1]' }));
  });

  it('reads the same processes and record types in the source format the CLI retrieves', () => {
    const processes = metadata.businessProcesses.records.map((b) => ({ fullName: b.Name, ...(b.Metadata as object) }));
    const recordTypes = metadata.recordTypes.records.map((r) => ({ Id: r.Id, fullName: `Opportunity.${String(r.DeveloperName)}`, businessProcess: metadata.businessProcesses.records.find((b) => b.Id === r.BusinessProcessId)!.Name }));
    const result = fromSalesforce({ stages: metadata.stages, businessProcesses: processes, recordTypes, opportunities, history });
    expectValid(result);
    const pipelines = result.workspace.layouts[0]!.pipelines;
    expect(pipelines.map((p) => [p.id, p.stages.length])).toEqual([[STANDARD, 57], ['Opportunity.Upsell Opportunity Process', 7], ['Opportunity.Customer Success Process', 8]]);
    expect(result.deals[0]!.pipelineId).toBe('Opportunity.Upsell Opportunity Process');
    expect(result.deals[0]!.history.map((v) => v.pipelineId)).toEqual(['Opportunity.Customer Success Process', 'Opportunity.Customer Success Process', 'Opportunity.Upsell Opportunity Process']);
  });
});
