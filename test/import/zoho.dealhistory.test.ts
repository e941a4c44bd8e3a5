import { describe, expect, it } from 'vitest';
import { fromZoho } from '../../src/import.js';
import { codes, expectValid, fixture } from './helpers.js';

// The DealHistory module read through COQL: one flat list keyed by the deal lookup, with the
// rows real orgs write (an initial None row, an orphan, Moved_To__s, Duration_Days).
type Rec = Record<string, unknown>;
const payload = fixture('zoho-dealhistory.json') as { layouts: Rec[]; pipelines: Rec; stageProbabilities: Rec; deals: { data: Rec[] }; stageHistory: { data: Rec[] } };
const STANDARD = '3652397000003097001';
const PIPELINE1 = '3652397000003097007';
const S = (n: number) => `36523970000000068${String(n).padStart(2, '0')}`;

describe('fromZoho on a flat DealHistory list', () => {
  const result = fromZoho(payload);
  const deal = (n: number) => result.deals.find((d) => d.id === `365239700000660${n}001`)!;
  const visits = (n: number) => deal(n).history.map((v) => [v.pipelineId, v.stageId]);

  it('gives a workspace and deals that keep every invariant', () => {
    expectValid(result);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/zoho-dealhistory.expected.json');
  });

  it('groups the rows by Potential_Name', () => {
    expect(deal(2).history.map((v) => v.stageId)).toEqual([S(1), S(3), S(1), S(3), S(11)]);
    expect(deal(2).history[0]!.by).toBe('3652397000000186017');
  });

  it('leaves out an orphan row whose deal is empty, with a warning', () => {
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'row_skipped', path: 'payload.stageHistory.data[14]' }));
  });

  it('leaves out a row with the empty stage (None), and a deal without a stage, with warnings', () => {
    expect(deal(1).history[0]!.stageId).toBe(S(1));
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'row_skipped', path: 'payload.stageHistory.data[0]' }));
    expect(result.deals.some((d) => d.id === '3652397000006604001')).toBe(false);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'deal_skipped', path: 'payload.deals.data[3].Stage' }));
  });

  it('puts a visit to a stage the current pipeline lacks where it can have happened, with a warning', () => {
    // Id. Decision Makers is in Standard and Renewals, not in Pipeline1: ambiguous, so Standard.
    expect(visits(1)).toEqual([[STANDARD, S(1)], [STANDARD, S(7)], [PIPELINE1, S(13)]]);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'pipeline_guessed', path: 'payload.stageHistory.data[2]' }));
  });

  it('follows a cycle of stages without looping, each revisit a visit', () => {
    expect(visits(2).every(([p]) => p === PIPELINE1)).toBe(true);
    expect(deal(2).history).toHaveLength(5);
  });

  it('orders rows of one instant by their Moved_To__s chain', () => {
    expect(deal(3).history.map((v) => v.stageId)).toEqual([S(1), S(3), S(5)]);
    expect(codes(result).filter((c) => c === 'history_completed')).toEqual([]);
  });

  it('warns when Moved_To__s names another stage than the next row enters', () => {
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'history_approximated', path: 'payload.stageHistory.data[12].Moved_To__s' }));
  });

  it("compares Duration_Days with the imported stays, warning figure_mismatch only where they differ", () => {
    expect(result.warnings.filter((w) => w.code === 'figure_mismatch').map((w) => w.path)).toEqual([
      'payload.stageHistory.data[5].Duration_Days',
      'payload.stageHistory.data[12].Duration_Days',
    ]);
  });

  it('reads the same rows from the bare array a Bulk read gives, the deal lookup as an id', () => {
    const bulk = payload.stageHistory.data.map((r) => ({ ...r, Potential_Name: (r.Potential_Name as { id: string } | null)?.id ?? '', Duration_Days: r.Duration_Days === null ? '' : String(r.Duration_Days) }));
    const again = fromZoho({ ...payload, stageHistory: bulk });
    expect(again.deals).toEqual(result.deals);
    expect(again.warnings.map((w) => [w.code, w.path.replace('payload.stageHistory[', 'payload.stageHistory.data[')])).toEqual(result.warnings.map((w) => [w.code, w.path]));
  });

  it('refuses a Potential_Name that is not a deal reference with invalid_input naming it', () => {
    const bad = structuredClone(payload);
    bad.stageHistory.data[1]!.Potential_Name = { id: true };
    expect(() => fromZoho(bad)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'payload.stageHistory.data[1].Potential_Name.id' } }));
  });
});
