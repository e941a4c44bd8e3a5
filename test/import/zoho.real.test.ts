import { describe, expect, it } from 'vitest';
import { fromZoho, type ZohoPayload } from '../../src/import.js';
import { expectValid } from './helpers.js';
import { vendorFile } from './vendorFile.js';

// Zoho's own samples (see /work/shared/vendor-exports/PROVENANCE.md).
type Rec = Record<string, unknown>;
const STANDARD = '3652397000003097001';
const PIPELINE1 = '3652397000003097007';

describe('fromZoho on stage history in the shape real orgs return', () => {
  const payload = vendorFile('zoho', 'constructed-stage-history.json') as ZohoPayload & { stageHistory: Record<string, { data: Rec[] }> };
  const result = fromZoho(payload);
  const moved = () => result.deals.find((d) => d.id === '3652397000004411002')!;

  it('imports a valid workspace, Duration_Days agreeing with every completed stay', () => {
    expectValid(result);
    expect(result.warnings.filter((w) => w.code === 'figure_mismatch')).toEqual([]);
  });

  it('puts the visits before a move between pipelines in the pipeline that has their stage', () => {
    expect(moved().pipelineId).toBe(PIPELINE1);
    expect(moved().history.map((v) => v.pipelineId)).toEqual([STANDARD, STANDARD, PIPELINE1]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'pipeline_guessed', path: 'payload.stageHistory.3652397000004411002.data[1]' }));
  });

  it('warns figure_mismatch where Duration_Days disagrees with the imported stay', () => {
    const off = structuredClone(payload);
    off.stageHistory['3652397000004411001']!.data[1]!.Duration_Days = 4;
    expect(fromZoho(off).warnings.filter((w) => w.code === 'figure_mismatch').map((w) => w.path)).toEqual(['payload.stageHistory.3652397000004411001.data[1].Duration_Days']);
  });

  it('reads the figure from Stage_Duration_Calendar_Days, as some orgs name it', () => {
    const renamed = structuredClone(payload);
    for (const body of Object.values(renamed.stageHistory)) {
      for (const r of body.data) {
        r.Stage_Duration_Calendar_Days = r.Duration_Days;
        delete r.Duration_Days;
      }
    }
    renamed.stageHistory['3652397000004411001']!.data[1]!.Stage_Duration_Calendar_Days = 4;
    expect(fromZoho(renamed).warnings.filter((w) => w.code === 'figure_mismatch').map((w) => w.path)).toEqual(['payload.stageHistory.3652397000004411001.data[1].Stage_Duration_Calendar_Days']);
  });

  it('gives the same deals from the DealHistory module as one flat list', () => {
    const flat = Object.entries(payload.stageHistory).flatMap(([dealId, body]) => body.data.map((r) => ({ ...r, Potential_Name: { id: dealId, name: 'deal' } })));
    expect(fromZoho({ ...payload, stageHistory: { data: flat } }).deals).toEqual(result.deals);
  });
});

describe("fromZoho on Zoho's published pipeline responses", () => {
  it.each(['v7-doc-sample.json', 'oas-example-jackfer.json'])('reads %s into ordered subsets of the picklist', (name) => {
    const sample = vendorFile('zoho', name) as ZohoPayload;
    const result = fromZoho({ ...sample, deals: [], stageHistory: {} });
    expectValid(result);
    const layout = result.workspace.layouts[0]!;
    const picklist = layout.stages.map((s) => s.id);
    for (const p of layout.pipelines) {
      const positions = p.stages.map((s) => picklist.indexOf(s.stageId));
      expect(positions.every((x, i) => x >= 0 && (i === 0 || x > positions[i - 1]!))).toBe(true);
    }
    expect(layout.pipelines.filter((p) => p.standard)).toHaveLength(1);
  });
});
