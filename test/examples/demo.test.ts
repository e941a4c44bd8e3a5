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
    expect(log).toContain('Imported the web shop\'s HubSpot export: 40 deals created, 0 refused');
    expect(log).toContain('Import progress by chunk: [#....] 10/40 [###..] 20/40 [####.] 30/40 [#####] 40/40');
    expect(log).toContain('Re-synced HubSpot: 3 deals updated (HS-1000, HS-1001, HS-1004), 37 unchanged, 0 created');
    expect(JSON.stringify(buildReport(await simulate()))).toBe(JSON.stringify(buildReport(story)));
  });

  it('tells the caller the HubSpot import\'s progress after each chunk, for a progress bar', async () => {
    const seen: unknown[] = [];
    await simulate(7, { onImportProgress: (p) => seen.push(p) });
    expect(seen.slice(0, 4)).toEqual([10, 20, 30, 40].map((done) => ({ done, total: 40 })));
    expect(seen).toHaveLength(8);
  });

  it('fits a 100-column terminal and uses no colour unless asked', async () => {
    const text = render(buildReport(await simulate()), false);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(text).not.toContain('\u001b[');
    for (const section of ['Board: Sales / New cars', 'Rotting deals', 'Dwell: time in stage', 'Weighted pipeline', 'Conversion funnels', 'Stage history of']) {
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

describe('the demo as a newcomer reads it', () => {
  const text = async () => render(buildReport(await simulate()), false);

  it('shows every board header whole, with its deal count on a line of its own', async () => {
    const report = buildReport(await simulate());
    const out = render(report, false);
    for (const board of report.boards) {
      const section = out.slice(out.indexOf(`Board: ${board.name}`));
      for (const column of board.columns) {
        for (const word of column.name.split(' ')) expect(section).toContain(word);
      }
      const counts = board.columns.map((c) => `${c.cards.length} deal${c.cards.length === 1 ? '' : 's'}`);
      expect(section).toMatch(new RegExp(counts.map((c) => c.replace(/ /g, ' ')).join(' +')));
    }
  });

  it('says how many cards a column leaves out', async () => {
    const report = buildReport(await simulate());
    const full = report.boards.flatMap((b) => b.columns).find((c) => c.cards.length > 6)!;
    expect(full).toBeDefined();
    expect(await text()).toContain(`+${full.cards.length - 5} more`);
  });

  it('draws funnel bars as long as the percentage beside them', async () => {
    const lines = (await text()).split('\n').filter((l) => /entered +\d+ +went on/.test(l));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const percent = Number(/(\d+)%/.exec(line)![1]);
      const bar = (line.match(/▇/g) ?? []).length;
      expect(Math.abs(bar - (percent / 100) * 30)).toBeLessThanOrEqual(0.5);
    }
  });

  it('names pipelines and stages by their names, and slipping deals in sentences', async () => {
    const out = await text();
    const stalled = out.slice(out.indexOf('Rotting deals'), out.indexOf('Dwell: time in stage'));
    expect(stalled).toContain('New cars');
    expect(stalled).not.toMatch(/ new-cars /);
    const slipping = out.slice(out.indexOf('Slipping deals')).split('\n').filter((l) => l.startsWith('  D-'));
    expect(slipping.length).toBeGreaterThan(0);
    for (const line of slipping) {
      expect(line).toMatch(/pushed (once|\d+ times), \d+ days later, from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
      expect(line).not.toContain('—');
    }
  });
});
