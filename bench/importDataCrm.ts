// Deterministic import bench data: Salesforce and Zoho payloads of `count` deals with `rows`
// history rows each, as parsed from the vendors' JSON (the documented field names and formats).

/** A small linear congruential generator, so every run sees the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const T0 = Date.UTC(2025, 0, 6);
const HOUR = 3_600_000;

export const STAGES = [
  { name: 'Prospecting', probability: 10, kind: 'open' },
  { name: 'Qualification', probability: 20, kind: 'open' },
  { name: 'Needs Analysis', probability: 30, kind: 'open' },
  { name: 'Proposal/Price Quote', probability: 60, kind: 'open' },
  { name: 'Negotiation/Review', probability: 90, kind: 'open' },
  { name: 'Closed Won', probability: 100, kind: 'won' },
  { name: 'Closed Lost', probability: 0, kind: 'lost' },
] as const;

/** Two sales processes (pipelines besides the standard one) and the stages they list. */
export const PROCESSES = [
  { name: 'New Business', stages: ['Prospecting', 'Qualification', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] },
  { name: 'Renewal', stages: ['Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] },
] as const;

/** The stages of each deal's history: revisits included, never the same stage twice in a row. */
function path(process: (typeof PROCESSES)[number], rows: number, rnd: () => number): string[] {
  const open = process.stages.filter((s) => !s.startsWith('Closed'));
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    if (i === rows - 1 && rnd() < 0.5) out.push(rnd() < 0.6 ? 'Closed Won' : 'Closed Lost');
    else {
      let s = open[Math.floor(rnd() * open.length)]!;
      if (s === out[out.length - 1]) s = open[(open.indexOf(s) + 1) % open.length]!;
      out.push(s);
    }
  }
  return out;
}

interface Plan {
  readonly id: string;
  readonly process: number;
  readonly stages: string[];
  readonly times: number[];
  readonly amount: number;
}

function plans(count: number, rows: number): Plan[] {
  const rnd = lcg(count * 7 + rows);
  const out: Plan[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const process = i % 2;
    const stages = path(PROCESSES[process]!, rows, rnd);
    let t = T0 + Math.floor(rnd() * 2000) * HOUR;
    const times = stages.map(() => (t += (1 + Math.floor(rnd() * 200)) * HOUR));
    out[i] = { id: String(100_000_000 + i), process, stages, times, amount: 1000 * (1 + Math.floor(rnd() * 100)) };
  }
  return out;
}

const sfTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
const probabilityOf = (name: string) => STAGES.find((s) => s.name === name)!.probability;

/** A Salesforce payload: SOQL records of OpportunityStage, OpportunityHistory, Opportunity; Tooling API processes. */
export function salesforcePayload(count: number, rows: number) {
  const ps = plans(count, rows);
  const stages = { records: STAGES.map((s, i) => ({ ApiName: s.name, MasterLabel: s.name, SortOrder: i + 1, IsActive: true, IsClosed: s.kind !== 'open', IsWon: s.kind === 'won', DefaultProbability: s.probability, ForecastCategoryName: s.kind === 'open' ? 'Pipeline' : s.kind === 'won' ? 'Closed' : 'Omitted' })) };
  const businessProcesses = { records: PROCESSES.map((p, i) => ({ Id: `01J00000000000${i}AAA`, Name: p.name, IsActive: true, TableEnumOrId: 'Opportunity', Metadata: { values: p.stages.map((fullName) => ({ fullName, default: false })) } })) };
  const recordTypes = { records: PROCESSES.map((p, i) => ({ Id: `0124000000000${i}AAA`, Name: p.name, BusinessProcessId: `01J00000000000${i}AAA`, SobjectType: 'Opportunity' })) };
  const opportunities = { records: ps.map((p) => {
    const last = p.stages[p.stages.length - 1]!;
    return { Id: p.id, Name: `Opportunity ${p.id}`, StageName: last, Amount: p.amount, Probability: probabilityOf(last), CloseDate: '2025-12-31', RecordTypeId: `0124000000000${p.process}AAA`, OwnerId: '005000000000001AAA', CreatedDate: sfTime(p.times[0]!), LastModifiedDate: sfTime(p.times[p.times.length - 1]!) };
  }) };
  const history = { records: ps.flatMap((p) => p.stages.map((s, i) => ({ OpportunityId: p.id, StageName: s, Amount: p.amount, Probability: probabilityOf(s), CloseDate: '2025-12-31', PrevAmount: i === 0 ? null : p.amount, PrevCloseDate: i === 0 ? null : '2025-12-31', CreatedDate: sfTime(p.times[i]!), CreatedById: '005000000000001AAA' }))) };
  return { stages, businessProcesses, recordTypes, opportunities, history };
}

const zohoTime = (ms: number) => new Date(ms + 19_800_000).toISOString().replace(/\.\d{3}Z$/, '+05:30');
export const ZOHO_LAYOUT = '3652397000000091023';
export const zohoStageId = (name: string) => `365239700000000${6801 + 2 * STAGES.findIndex((s) => s.name === name)}`;
export const zohoPipelineId = (i: number) => `365239700000309700${i}`;

/** A Zoho payload: layouts, pipelines, deals and the DealHistory module as one flat COQL list. */
export function zohoPayload(count: number, rows: number) {
  const ps = plans(count, rows);
  const maps = (names: readonly string[]) => names.map((name, i) => {
    const s = STAGES.find((x) => x.name === name)!;
    return { id: zohoStageId(name), actual_value: name, display_value: name, sequence_number: i + 1, forecast_type: s.kind === 'open' ? 'Open' : s.kind === 'won' ? 'Closed Won' : 'Closed Lost', forecast_category: { name: s.kind === 'open' ? 'Pipeline' : s.kind === 'won' ? 'Closed' : 'Omitted', id: '1' } };
  });
  const pipeline = [
    { id: zohoPipelineId(0), display_value: 'Standard (Standard)', actual_value: 'Standard (Standard)', default: true, maps: maps(STAGES.map((s) => s.name)) },
    ...PROCESSES.map((p, i) => ({ id: zohoPipelineId(i + 1), display_value: p.name, actual_value: p.name, default: false, maps: maps(p.stages) })),
  ];
  const owner = { name: 'Patricia Boyle', id: '3652397000000186017' };
  const deals = { data: ps.map((p) => {
    const last = p.stages[p.stages.length - 1]!;
    return { id: p.id, Deal_Name: `Deal ${p.id}`, Stage: last, Pipeline: { name: PROCESSES[p.process]!.name, id: zohoPipelineId(p.process + 1) }, Layout: { name: 'Standard', id: ZOHO_LAYOUT }, Amount: p.amount, Probability: probabilityOf(last), Closing_Date: '2025-12-31', Owner: owner, Currency: 'INR', Created_Time: zohoTime(p.times[0]!), Modified_Time: zohoTime(p.times[p.times.length - 1]!) };
  }), info: { more_records: false } };
  const stageHistory = { data: ps.flatMap((p) => p.stages.map((s, i) => {
    const next = p.times[i + 1];
    return { id: `${p.id}${i}`, Potential_Name: { name: `Deal ${p.id}`, id: p.id }, Stage: s, Modified_Time: zohoTime(p.times[i]!), Moved_To__s: p.stages[i + 1] ?? null, Duration_Days: next === undefined ? null : Math.floor((next - p.times[i]!) / 86_400_000), Amount: p.amount, Probability: probabilityOf(s), Closing_Date: '2025-12-31', Modified_By: owner };
  })) };
  return { layouts: [{ id: ZOHO_LAYOUT, name: 'Standard' }], pipelines: { [ZOHO_LAYOUT]: { pipeline } }, stageProbabilities: Object.fromEntries(STAGES.map((s) => [s.name, s.probability])), deals, stageHistory };
}
