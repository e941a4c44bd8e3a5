import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conversionFunnel, dwellStats, timeInStages, type Deal, type StageVisit } from '../../src/index.js';
import { STAGE_ROW_COLUMNS, toCsv, toStageRows, type StageRow } from '../../src/import.js';
import { arbScenario } from '../../src/testing.js';

/** A small importer of stage rows: the deals as far as their rows tell. */
function fromRows(rows: readonly StageRow[]): Deal[] {
  const byDeal = new Map<string, StageRow[]>();
  for (const r of rows) byDeal.set(r.dealId, [...(byDeal.get(r.dealId) ?? []), r]);
  return [...byDeal.values()].map((list) => {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const history: StageVisit[] = list.map((r) => ({
      pipelineId: r.pipelineId, stageId: r.stageId, enteredAt: r.enteredAt, exitedAt: r.exitedAt, amount: r.amount, probability: r.probability,
      expectedRevenue: r.expectedRevenue, closingDate: r.closingDate, forecastCategory: r.forecastCategory, outcome: r.outcome, by: r.by, bypassedRules: false,
    }));
    return {
      id: first.dealId, layoutId: first.layoutId, pipelineId: last.pipelineId, stageId: last.stageId, name: first.dealName, amount: last.amount,
      currency: first.currency, probability: last.probability, closingDate: last.closingDate, ownerId: null, lostReason: null, fields: {},
      createdAt: first.enteredAt, updatedAt: last.enteredAt, version: list.length, history,
    };
  });
}

/** Reads the CSV toCsv writes, column types known. */
function parseCsv(text: string): StageRow[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++;
    else field += c;
  }
  const [header, ...body] = records;
  expect(header).toEqual([...STAGE_ROW_COLUMNS]);
  const numbers = new Set(['visit', 'amount', 'probability', 'expectedRevenue']);
  return body.map((cells) => Object.fromEntries(STAGE_ROW_COLUMNS.map((col, i) => {
    const cell = cells[i]!;
    if (cell === '') return [col, null];
    if (col === 'enteredAt' || col === 'exitedAt') return [col, Date.parse(cell)];
    if (col === 'current') return [col, cell === 'true'];
    return [col, numbers.has(col) ? Number(cell) : cell];
  })) as unknown as StageRow);
}

const metrics = (s: { workspace: Parameters<typeof conversionFunnel>[0]; now: number }, deals: Deal[]) => ({
  dwell: dwellStats(deals, { now: s.now }),
  dwellOpen: dwellStats(deals, { now: s.now, includeOpen: true, businessDays: true }),
  funnels: s.workspace.layouts.flatMap((l) => l.pipelines).map((p) => conversionFunnel(s.workspace, deals, { pipelineId: p.id })),
  times: deals.map((d) => timeInStages(d, { now: s.now })),
});

describe('toStageRows', () => {
  it('gives one row per stage visit, the open one current', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4, maxSteps: 12 }), ({ deals }) => {
        const rows = toStageRows(deals);
        expect(rows).toHaveLength(deals.reduce((n, d) => n + d.history.length, 0));
        expect(rows.filter((r) => r.current).map((r) => r.dealId)).toEqual(deals.map((d) => d.id));
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  it('keeps every metric when a scenario is exported and imported again', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 6, maxSteps: 30 }), (s) => {
        const again = fromRows(toStageRows(s.deals));
        expect(metrics(s, again)).toEqual(metrics(s, s.deals));
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('refuses what is not a list of deals', () => {
    expect(() => toStageRows([{ id: 'x' }] as never)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'deals[0].layoutId' } }));
  });
});

describe('toCsv', () => {
  it('writes rows that read back equal, through quoting', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4, maxSteps: 20 }), fc.string(), (s, name) => {
        const deals = s.deals.map((d, i) => (i === 0 && name.trim() !== '' ? { ...d, name: `${name}, "q"\r\nx` } : d));
        const rows = toStageRows(deals);
        expect(parseCsv(toCsv(rows, { escapeFormulas: false }))).toEqual(rows);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('writes a header, ISO instants, empty cells for null and quotes cells that need it', () => {
    const row: StageRow = {
      dealId: 'd1', dealName: 'Fleet, "large"', layoutId: 'deals', pipelineId: 'default', stageId: 'quote', visit: 0, enteredAt: Date.UTC(2024, 4, 2, 10),
      exitedAt: null, current: true, outcome: 'open', forecastCategory: 'pipeline', amount: 1500.5, currency: 'EUR', probability: 40, expectedRevenue: 600.2,
      closingDate: '2024-06-30', by: null,
    };
    expect(toCsv([row])).toBe(
      'dealId,dealName,layoutId,pipelineId,stageId,visit,enteredAt,exitedAt,current,outcome,forecastCategory,amount,currency,probability,expectedRevenue,closingDate,by\r\n' +
        'd1,"Fleet, ""large""",deals,default,quote,0,2024-05-02T10:00:00.000Z,,true,open,pipeline,1500.5,EUR,40,600.2,2024-06-30,\r\n',
    );
  });

  it('prefixes text cells a spreadsheet would run as a formula with a single quote, unless told not to', () => {
    const base: StageRow = {
      dealId: 'd1', dealName: '=HYPERLINK("http://x","y")', layoutId: 'deals', pipelineId: '+1', stageId: '-s', visit: 0, enteredAt: 0, exitedAt: null, current: true,
      outcome: 'open', forecastCategory: 'pipeline', amount: -5, currency: 'EUR', probability: 40, expectedRevenue: -2, closingDate: null, by: '@me',
    };
    const [, line] = toCsv([base]).split('\r\n');
    expect(line).toBe(`d1,"'=HYPERLINK(""http://x"",""y"")",deals,'+1,'-s,0,1970-01-01T00:00:00.000Z,,true,open,pipeline,-5,EUR,40,-2,,'@me`);
    expect(toCsv([{ ...base, dealName: '\tx', by: '\r=1' }]).split('\r\n')[1]).toMatch(/^d1,'\tx,.*,"'\r=1"$/);
    expect(toCsv([base], { escapeFormulas: false }).split('\r\n')[1]).toBe('d1,"=HYPERLINK(""http://x"",""y"")",deals,+1,-s,0,1970-01-01T00:00:00.000Z,,true,open,pipeline,-5,EUR,40,-2,,@me');
    expect(() => toCsv([base], { escapeFormulas: 'no' } as never)).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'options.escapeFormulas' } }));
  });

  it('refuses cells that are not plain values', () => {
    expect(() => toCsv([{ dealId: {} } as never])).toThrow(expect.objectContaining({ code: 'invalid_input', details: { path: 'rows[0].dealId' } }));
    expect(() => toCsv('rows' as never)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
