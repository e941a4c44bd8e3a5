import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/testing.js';
import { buildReport } from '../../examples/demo/report.js';
import { render } from '../../examples/demo/render.js';
import { simulate } from '../../examples/demo/simulate.js';

describe('the demo', () => {
  it('tells the whole story on valid data, the same way every run', async () => {
    const story = await simulate();
    expect(checkInvariants(story.workspace, story.deals, { now: story.now })).toEqual([]);
    expect(story.deals.length).toBeGreaterThan(30);
    const log = story.log.join('\n');
    expect(log).toMatch(/Refused .*transition_not_allowed/);
    expect(log).toMatch(/moved from Repair service to Used cars/);
    expect(log).toMatch(/Bulk update/);
    expect(log).toMatch(/Deleted the Fleet sales pipeline/);
    expect(JSON.stringify(buildReport(await simulate()))).toBe(JSON.stringify(buildReport(story)));
  });

  it('fits a 100-column terminal and uses no colour unless asked', async () => {
    const text = render(buildReport(await simulate()), false);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(text).not.toContain('\u001b[');
    for (const section of ['Board: Sales / New cars', 'Stalled deals', 'Time in stage', 'Weighted pipeline', 'Conversion funnels', 'Stage history of']) {
      expect(text).toContain(section);
    }
  });

  it('shows a waterfall that balances and the deals whose closing date slipped', async () => {
    const report = buildReport(await simulate());
    const amount = Object.fromEntries(report.waterfall.bars.map((b) => [b.bucket, b.amount]));
    const inflow = amount.created! + amount.pulledIn! + amount.increased! + amount.reopened! + amount.movedIn!;
    const outflow = amount.decreased! + amount.pushedOut! + amount.won! + amount.lost! + amount.movedOut!;
    expect(amount.start! + inflow - outflow).toBeCloseTo(amount.end!, 6);
    expect(report.slipping.deals.length).toBeGreaterThan(0);
    const text = render(report, false);
    expect(text).toContain('Pipeline waterfall');
    expect(text).toContain('Slipping deals');
  });
});
