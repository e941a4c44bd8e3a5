import { describe, expect, it } from 'vitest';
import { fromHubSpot, fromPipedrive } from '../../src/import.js';
import { expectValid, fixture } from './helpers.js';

// One bad name must not abort an import: names are cut between code points, and a deal whose
// name the model cannot store is left out alone, with a warning at its path in the payload.

const hubspot = fixture('hubspot.json') as { pipelines: unknown; deals: { results: { properties: Record<string, unknown> }[] } };
const pipedrive = fixture('pipedrive.json') as { pipelines: unknown; stages: unknown; deals: { data: Record<string, unknown>[] }; flows: unknown };

describe('deal names in imports', () => {
  it('cuts a long name at 255 characters without splitting a surrogate pair', () => {
    const p = structuredClone(hubspot);
    p.deals.results[0]!.properties.dealname = `${'a'.repeat(254)}😀 and more`;
    const r = fromHubSpot(p);
    expectValid(r);
    expect(r.deals[0]!.name).toBe('a'.repeat(254));
    p.deals.results[0]!.properties.dealname = `${'a'.repeat(253)}😀 and more`;
    expect(fromHubSpot(p).deals[0]!.name).toBe(`${'a'.repeat(253)}😀`);
  });

  it('leaves out only the deal whose name cannot be stored, warning at the name in the payload', () => {
    const p = structuredClone(hubspot);
    p.deals.results[1]!.properties.dealname = 'Broken \uD800 name';
    const r = fromHubSpot(p);
    expectValid(r);
    expect(r.deals.map((d) => d.id)).toEqual(['12345', '12347']);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'deal_skipped', path: 'payload.deals.results[1].properties.dealname' }));
  });

  it('does the same for a Pipedrive title with U+0000', () => {
    const p = structuredClone(pipedrive);
    p.deals.data[0]!.title = 'Nul\u0000l';
    const r = fromPipedrive(p as never);
    expectValid(r);
    expect(r.deals.map((d) => d.id)).not.toContain('101');
    expect(r.deals.length).toBe(fromPipedrive(pipedrive as never).deals.length - 1);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'deal_skipped', path: 'payload.deals.data[0].title' }));
  });

  it('falls back to the id for a stage or pipeline name that cannot be stored', () => {
    const p = structuredClone(hubspot) as unknown as { pipelines: { results: { label: string; stages: { label: string }[] }[] }; deals: unknown };
    p.pipelines.results[0]!.label = '\uDC00';
    p.pipelines.results[0]!.stages[0]!.label = 'a\u0000';
    const r = fromHubSpot(p as never);
    expectValid(r);
    expect(r.workspace.layouts[0]!.pipelines[0]!.name).toBe('default');
  });
});
