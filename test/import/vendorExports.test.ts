import { describe, expect, it } from 'vitest';
import { timeInStages } from '../../src/index.js';
import { fromHubSpot, fromPipedrive, toHubSpotTimeProperties } from '../../src/import.js';
import { at, codes, expectValid, fixture } from './helpers.js';

// Real payloads nobody on the project wrote (fixtures/vendor/PROVENANCE.md says where each is from).

type HubDeal = { id: string; properties: Record<string, string | null> };

describe('fromHubSpot on a production portal (20 deals with HubSpot’s own stage figures)', () => {
  const portal = fixture('vendor/hubspot-portal-49505398-2025.json') as { pipelines: unknown; deals: { results: HubDeal[] }; v1Deal: unknown };
  const result = fromHubSpot(portal);

  it('imports every deal into a valid workspace', () => {
    expect(result.deals).toHaveLength(20);
    expectValid(result);
  });

  it("recomputes every hs_v2 date, latest and cumulative time HubSpot reports, to the millisecond", () => {
    let compared = 0;
    for (const [i, d] of portal.deals.results.entries()) {
      const ours = toHubSpotTimeProperties(result.deals[i]!);
      for (const [key, value] of Object.entries(d.properties)) {
        if (value === null || !/^hs_v2_(date_entered|date_exited|latest_time_in|cumulative_time_in)_(?!current_stage)/.test(key)) continue;
        expect([d.id, key, ours[key]]).toEqual([d.id, key, key.startsWith('hs_v2_date') ? new Date(value).toISOString() : value]);
        compared++;
      }
    }
    expect(compared).toBe(117);
  });

  it('keeps the revisits of the four deals that re-entered a stage', () => {
    const revisited = result.deals.filter((d) => timeInStages(d, { now: d.updatedAt }).some((r) => r.visits > 1)).map((d) => d.id);
    expect(revisited).toEqual(['51686921884', '51532808551', '51272428818', '51146885987']);
  });

  it('warns only about the one deal whose earlier stays fit the gaps two ways, and reports no figure mismatch', () => {
    expect(result.warnings.map((w) => [w.code, w.path])).toEqual([['history_approximated', 'payload.deals.results[4].properties']]);
  });

  it('accepts the legacy v1 deal, in the portal currency', () => {
    const v1 = fromHubSpot({ pipelines: portal.pipelines, deals: [portal.v1Deal] }, { defaultCurrency: 'INR' });
    expect(v1.deals.map((d) => [d.id, d.name, d.currency, d.stageId])).toEqual([['51437101197', 'Deal 51437101197', 'INR', '1143394611']]);
    expect(v1.deals[0]!.createdAt).toBe(1765203318749);
  });
});

describe('fromHubSpot on connector test portals', () => {
  it("reads Airbyte's records: legacy v1 pipelines, hs_date_entered_*, typed values", () => {
    const r = fromHubSpot(fixture('vendor/hubspot-airbyte-sandbox-2023.json') as never);
    expectValid(r);
    expect(r.warnings).toEqual([]);
    expect(r.deals.map((d) => [d.id, d.amount, d.history.map((v) => [v.stageId, v.enteredAt])])).toEqual([
      ['4280411910', 6, [['appointmentscheduled', at('2021-02-22T14:01:11.762Z')]]],
      ['4315375411', 10, [['appointmentscheduled', at('2021-02-23T20:21:32.862Z')]]],
    ]);
  });

  it("reads Estuary's record: a label with a leading space, stages out of displayOrder, numeric ids", () => {
    const r = fromHubSpot(fixture('vendor/hubspot-estuary-sample-2025.json') as never);
    expectValid(r);
    expect(r.warnings).toEqual([]);
    const layout = r.workspace.layouts[0]!;
    expect(layout.pipelines[0]!.name).toBe('Sample Pipeline');
    expect(r.deals.map((d) => [d.id, d.amount, d.stageId])).toEqual([['35447325508', 43, 'appointmentscheduled']]);
  });
});

describe('fromPipedrive on real payloads', () => {
  it("reports the sandbox's pipelines without stages under their own code, saying why", () => {
    const r = fromPipedrive(fixture('vendor/pipedrive-airbyte-sandbox-2023.json') as never);
    expectValid(r);
    const skipped = r.warnings.filter((w) => w.code === 'pipeline_skipped');
    expect(skipped.map((w) => w.path)).toEqual(['payload.pipelines.data[1]', 'payload.pipelines.data[2]']);
    expect(skipped[0]!.message).toBe('pipeline 3 is left out: the payload names no open stage in it, and a pipeline needs one');
    expect(r.warnings.filter((w) => w.code === 'stage_kept').map((w) => w.path)).toEqual(['payload.deals.data[0]']);
  });

  const sample = fixture('vendor/pipedrive-aai-cli-sample-2026.json') as { deals: { data: Record<string, unknown>[] }; dealsAsListed: Record<string, Record<string, unknown>>; flows: unknown };
  const payload = { pipelines: [], stages: [], deals: sample.deals, flows: sample.flows };

  it('replays the live flow: a stage change after add_time', () => {
    const r = fromPipedrive(payload);
    expectValid(r);
    expect(r.deals[0]!.history.map((v) => [v.stageId, v.enteredAt])).toEqual([['10', at('2026-07-28T07:51:28Z')], ['11', at('2026-07-28T08:05:56Z')]]);
  });

  it("takes a deal's creation from the flow's add_time row when the deal has no add_time", () => {
    const bare = { ...payload, deals: { data: sample.deals.data.map(({ add_time: _, ...d }) => d) } };
    const r = fromPipedrive(bare);
    expect(r.deals.map((d) => [d.id, d.createdAt])).toEqual([['1', at('2026-07-28T07:51:28Z')], ['2', at('2026-07-28T07:51:28Z')]]);
    expect(r.deals[0]!.history.map((v) => v.stageId)).toEqual(['10', '11']);
  });

  it('completes a history that ends elsewhere than the listed deal, with a warning', () => {
    const listed = { ...payload, deals: { data: sample.deals.data.map((d) => ({ ...d, ...sample.dealsAsListed[String(d.id)] })) } };
    const r = fromPipedrive(listed);
    expect(r.deals[0]!.stageId).toBe('10');
    expect(codes(r)).toContain('history_completed');
  });
});
