import fc from 'fast-check';

// Random true histories (revisits, moves between pipelines) and the payloads Zoho and
// Salesforce would export for them.

export const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

/** A vendor's configuration: stage names, and pipelines as lists of stage names (the first lists all). */
export interface Config {
  readonly stages: readonly { name: string; kind: 'open' | 'won' | 'lost'; probability: number }[];
  readonly pipelines: readonly { name: string; stages: readonly string[] }[];
}

export const CONFIG: Config = {
  stages: [
    { name: 'Qualification', kind: 'open', probability: 10 },
    { name: 'Needs Analysis', kind: 'open', probability: 20 },
    { name: 'Value Proposition', kind: 'open', probability: 40 },
    { name: 'Id. Decision Makers', kind: 'open', probability: 60 },
    { name: 'Proposal/Price Quote', kind: 'open', probability: 75 },
    { name: 'Negotiation/Review', kind: 'open', probability: 90 },
    { name: 'Closed Won', kind: 'won', probability: 100 },
    { name: 'Closed Lost', kind: 'lost', probability: 0 },
  ],
  pipelines: [
    { name: 'Standard', stages: ['Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] },
    { name: 'Partner', stages: ['Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Closed Won', 'Closed Lost'] },
    { name: 'Renewal', stages: ['Needs Analysis', 'Id. Decision Makers', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] },
  ],
};

export interface TrueVisit {
  readonly pipeline: number;
  readonly stage: string;
  readonly at: number;
}

export interface TrueDeal {
  readonly id: string;
  readonly visits: readonly TrueVisit[];
  /** Rows whose reported dwell figure is wrong. */
  readonly corrupt: readonly boolean[];
}

/** A true history: visits at strictly increasing instants (whole seconds), no stage twice in a row. */
const trueVisits = fc
  .array(fc.record({ move: fc.nat(9), stage: fc.nat(20), gap: fc.integer({ min: 60, max: 40 * 86_400 }) }), { minLength: 1, maxLength: 8 })
  .chain((steps) => fc.integer({ min: 0, max: 200 * 86_400 }).map((start) => ({ steps, start })))
  .map(({ steps, start }) => {
    const out: TrueVisit[] = [];
    let pipeline = 0;
    let at = START + start * 1000;
    for (const step of steps) {
      if (out.length > 0) at += step.gap * 1000;
      if (step.move < 2) pipeline = step.move + 1 === pipeline ? 0 : step.move + 1;
      const listed = CONFIG.pipelines[pipeline]!.stages.filter((s) => s !== out[out.length - 1]?.stage);
      out.push({ pipeline, stage: listed[step.stage % listed.length]!, at });
    }
    return out;
  });

export const trueDeals = (max = 6): fc.Arbitrary<TrueDeal[]> =>
  fc.array(trueVisits.chain((visits) => fc.array(fc.nat(4), { minLength: visits.length, maxLength: visits.length }).map((dice) => ({ visits, dice }))), { maxLength: max })
    .map((list) => list.map(({ visits, dice }, i) => ({ id: String(4_000_000 + i), visits, corrupt: dice.map((n, j) => n === 0 && j < visits.length - 1) })));

/** Whole days Zoho reports for a stay: elapsed days, rounded down. */
export const zohoDays = (from: number, to: number): number => Math.floor((to - from) / DAY);

const zohoTime = (ms: number): string => new Date(ms + 19_800_000).toISOString().replace(/\.\d{3}Z$/, '+05:30');

export const ZOHO_LAYOUT = '3652397000000091023';
const zohoStageId = (name: string) => `69${CONFIG.stages.findIndex((s) => s.name === name)}`;
export const zohoPipelineId = (i: number) => `97${i}`;

/** Zoho's configuration for {@link CONFIG}. */
export function zohoSetup() {
  const maps = (names: readonly string[]) => names.map((name, i) => {
    const s = CONFIG.stages.find((x) => x.name === name)!;
    return { id: zohoStageId(name), actual_value: name, display_value: name, sequence_number: i + 1, forecast_type: s.kind === 'open' ? 'Open' : s.kind === 'won' ? 'Closed Won' : 'Closed Lost', forecast_category: { name: s.kind === 'open' ? 'Pipeline' : s.kind === 'won' ? 'Closed' : 'Omitted' } };
  });
  return {
    layouts: [{ id: ZOHO_LAYOUT, name: 'Standard' }],
    pipelines: { [ZOHO_LAYOUT]: { pipeline: CONFIG.pipelines.map((p, i) => ({ id: zohoPipelineId(i), display_value: i === 0 ? 'Standard (Standard)' : p.name, actual_value: i === 0 ? 'Standard (Standard)' : p.name, default: i === 0, maps: maps(p.stages) })) } },
    stageProbabilities: Object.fromEntries(CONFIG.stages.map((s) => [s.name, s.probability])),
  };
}

/** A deal and its DealHistory rows as Zoho exports them (rows newest first, as Zoho lists them). */
export function zohoDeal(d: TrueDeal) {
  const last = d.visits[d.visits.length - 1]!;
  const deal = { id: d.id, Deal_Name: `Deal ${d.id}`, Stage: last.stage, Pipeline: { id: zohoPipelineId(last.pipeline) }, Layout: { id: ZOHO_LAYOUT }, Created_Time: zohoTime(d.visits[0]!.at), Modified_Time: zohoTime(last.at) };
  const rows = d.visits.map((v, i) => {
    const next = d.visits[i + 1];
    const days = next ? zohoDays(v.at, next.at) + (d.corrupt[i] ? 2 : 0) : null;
    return { id: `${d.id}${i}`, Potential_Name: { id: d.id, name: deal.Deal_Name }, Stage: v.stage, Modified_Time: zohoTime(v.at), Moved_To__s: next?.stage ?? null, Duration_Days: days };
  });
  return { deal, rows: rows.reverse() };
}

export const zohoStage = zohoStageId;

/** Salesforce's configuration for {@link CONFIG}: pipelines after the first are sales processes. */
export function salesforceSetup() {
  return {
    stages: { records: CONFIG.stages.map((s, i) => ({ ApiName: s.name, MasterLabel: s.name, SortOrder: i + 1, IsActive: true, IsClosed: s.kind !== 'open', IsWon: s.kind === 'won', DefaultProbability: s.probability, ForecastCategoryName: s.kind === 'open' ? 'Pipeline' : s.kind === 'won' ? 'Closed' : 'Omitted' })) },
    businessProcesses: CONFIG.pipelines.slice(1).map((p) => ({ fullName: p.name, isActive: true, values: p.stages.map((fullName) => ({ fullName })) })),
    recordTypes: { records: CONFIG.pipelines.slice(1).map((p, i) => ({ Id: `012R${i + 1}`, BusinessProcessId: null, businessProcess: p.name })) },
  };
}

/** An opportunity and its OpportunityHistory rows; pipeline 0 is no record type. */
export function salesforceOpportunity(d: TrueDeal) {
  const last = d.visits[d.visits.length - 1]!;
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
  const opportunity = { Id: d.id, Name: `Opportunity ${d.id}`, StageName: last.stage, RecordTypeId: last.pipeline === 0 ? null : `012R${last.pipeline}`, Amount: 1000, CreatedDate: iso(d.visits[0]!.at), LastModifiedDate: iso(last.at) };
  const rows = d.visits.map((v, i) => ({ OpportunityId: d.id, StageName: v.stage, Amount: 1000, Probability: CONFIG.stages.find((s) => s.name === v.stage)!.probability, CreatedDate: iso(v.at), FromOpportunityStageName: d.visits[i - 1]?.stage ?? null }));
  return { opportunity, rows };
}

/** Splits a list into consecutive pages of the given sizes (the rest in a last page). */
export function pagesOf<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= items.length) break;
    out.push(items.slice(i, i + n));
    i += n;
  }
  if (i < items.length) out.push(items.slice(i));
  return out;
}
