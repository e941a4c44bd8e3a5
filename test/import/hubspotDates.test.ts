import { describe, expect, it } from 'vitest';
import { timeInStages, weightedPipeline } from '../../src/index.js';
import { fromHubSpot, toHubSpotTimeProperties } from '../../src/import.js';
import { at, expectValid, fixture } from './helpers.js';

// Deals as CRM v3 returns them with the stage-calculated properties and no property history
// (hs_v2_date_entered_*, hs_v2_date_exited_*, hs_v2_latest_time_in_*, hs_v2_cumulative_time_in_*).
const payload = fixture('hubspot-dates.json') as { pipelines: unknown; deals: { results: { id: string; properties: Record<string, string | null> }[] } };
const DAY = 86_400_000;
const path = (s: string): string[] => s.split(' ');

describe('fromHubSpot on the stage-calculated properties', () => {
  const result = fromHubSpot(payload, { defaultCurrency: 'EUR' });
  const deal = (id: string) => result.deals.find((d) => d.id === id)!;
  const stages = (id: string) => deal(id).history.map((v) => `${v.stageId}@${new Date(v.enteredAt).toISOString().slice(0, 10)}`).join(' ');

  it('gives a workspace and deals that keep every invariant', () => {
    expectValid(result);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/hubspot-dates.expected.json');
  });

  it('keeps a revisit: the earlier stay fills the gap before the latest ones, from creation', () => {
    expect(path(stages('2001'))).toEqual(['appointmentscheduled@2024-01-01', 'qualifiedtobuy@2024-01-03', 'appointmentscheduled@2024-01-06', 'presentationscheduled@2024-01-10']);
    const a = timeInStages(deal('2001'), { now: at('2024-01-10T00:00:00Z') }).find((r) => r.stageId === 'appointmentscheduled');
    expect(a).toMatchObject({ visits: 2, cumulativeMs: 6 * DAY, latestMs: 4 * DAY });
  });

  it('places two earlier stays in one gap in the only order that keeps stays of a stage apart', () => {
    expect(stages('2002')).toBe('appointmentscheduled@2024-01-21 qualifiedtobuy@2024-01-22 appointmentscheduled@2024-01-24 qualifiedtobuy@2024-01-25 presentationscheduled@2024-01-29');
  });

  it('warns only where the stays fit more than one way, and still matches HubSpot’s figures', () => {
    const approximated = result.warnings.filter((w) => w.code === 'history_approximated');
    expect(approximated.map((w) => w.path)).toEqual(['payload.deals.results[2].properties']);
    expect(approximated[0]!.message).toContain('more than one way');
    expect(result.warnings.filter((w) => w.code === 'figure_mismatch')).toEqual([]);
  });

  it('reads hs_v2_time_in_current_stage as the instant the current stay began', () => {
    expect(stages('2004')).toBe('appointmentscheduled@2024-03-01 qualifiedtobuy@2024-03-03 appointmentscheduled@2024-03-06 qualifiedtobuy@2024-03-07 closedwon@2024-03-08');
    expect(result.warnings.filter((w) => w.code === 'history_completed')).toEqual([]);
  });

  it('gives deals without deal_currency_code the portal currency, and keeps the others', () => {
    expect(result.deals.map((d) => d.currency)).toEqual(['USD', 'EUR', 'EUR', 'EUR']);
    expect(Object.keys(weightedPipeline(result.workspace, result.deals)).sort()).toEqual(['EUR', 'USD']);
    expect(fromHubSpot(payload).deals[1]!.currency).toBeNull();
  });

  it("recomputes every one of HubSpot's stage figures from the imported history", () => {
    for (const [i, d] of payload.deals.results.entries()) {
      const ours = toHubSpotTimeProperties(result.deals[i]!);
      for (const [key, value] of Object.entries(d.properties)) {
        if (!/^hs_v2_(latest|cumulative)_time_in_/.test(key) && !/^hs_v2_date_(entered|exited)_(?!current)/.test(key)) continue;
        if (key.startsWith('hs_v2_date_entered_') && key.endsWith(result.deals[i]!.stageId)) continue;
        expect([d.id, key, ours[key]]).toEqual([d.id, key, key.startsWith('hs_v2_date') ? new Date(value!).toISOString() : value]);
      }
    }
  });

  it('refuses a defaultCurrency that is not a currency code, naming the option', () => {
    expect(() => fromHubSpot(payload, { defaultCurrency: 'euro' })).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'options.defaultCurrency' } }));
    expect(() => fromHubSpot(payload, { currency: 'EUR' } as never)).toThrow(expect.objectContaining({ details: { path: 'options.currency' } }));
  });
});

describe('fromHubSpot on legacy v1 deals', () => {
  const v1 = fixture('hubspot-v1.json');
  const result = fromHubSpot(v1 as never);
  const deal = (id: string) => result.deals.find((d) => d.id === id)!;

  it('matches the golden output', async () => {
    expectValid(result);
    await expect(JSON.stringify(result, null, 2)).toMatchFileSnapshot('fixtures/hubspot-v1.expected.json');
  });

  it('reads properties.x.value, and the versions of includePropertyVersions as the full history', () => {
    expect(deal('3001').history.map((v) => [v.stageId, v.by])).toEqual([['appointmentscheduled', null], ['qualifiedtobuy', '7'], ['appointmentscheduled', '7'], ['presentationscheduled', '7']]);
    expect(deal('3001')).toMatchObject({ name: 'Legacy with versions', currency: 'GBP', ownerId: '7', amount: 1500, closingDate: '2024-05-10' });
    expect(deal('3001').changes?.filter((c) => c.field === 'amount')).toEqual([{ at: at('2024-04-13T00:00:00Z'), by: '7', field: 'amount', from: 1200, to: 1500 }]);
  });

  it('leaves out a deleted deal, and falls back to the hs_v2 dates when versions hold the latest value only', () => {
    expect(result.deals.map((d) => d.id)).toEqual(['3001', '3003']);
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'deal_skipped', path: 'payload.deals.deals[1]' }));
    expect(deal('3003').history.map((v) => [v.stageId, new Date(v.enteredAt).toISOString()])).toEqual([
      ['appointmentscheduled', '2024-04-20T00:00:00.000Z'],
      ['qualifiedtobuy', '2024-04-22T00:00:00.000Z'],
    ]);
    expect(result.warnings.map((w) => w.code)).toEqual(['deal_skipped']);
  });
});
