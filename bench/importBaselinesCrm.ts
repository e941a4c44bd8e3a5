// Hand-written importers for the import benches: what a host would write for its own org, with
// no validation, no warnings and no guessing, building the same deals the library builds from
// the same payloads (the benches check that once, outside the timing).
import type { Deal, FieldChange, StageVisit } from '../src/index.js';

type Rec = Record<string, any>;
interface StageInfo { id: string; probability: number; outcome: StageVisit['outcome']; forecastCategory: StageVisit['forecastCategory'] }

/** `2025-01-06T10:00:00.000+0000`, `2025-01-06T15:30:00+05:30`: epoch ms. */
function instant(s: string): number {
  const ms = s.charCodeAt(19) === 46 ? Number(s.slice(20, 23)) : 0;
  const zone = s.slice(ms === 0 && s.charCodeAt(19) !== 46 ? 19 : 23);
  const local = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)), Number(s.slice(11, 13)), Number(s.slice(14, 16)), Number(s.slice(17, 19)), ms);
  if (zone === 'Z') return local;
  const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
  const h = Number(zone.slice(1, 3));
  const m = Number(zone.slice(zone.length - 2));
  return local - sign * (h * 60 + m) * 60_000;
}

const category = (name: string): StageVisit['forecastCategory'] => (name === 'Closed' ? 'closed' : name === 'Omitted' ? 'omitted' : name === 'Commit' || name === 'Forecast' ? 'commit' : name === 'BestCase' || name === 'Best Case' ? 'best_case' : 'pipeline');

interface Row { stageId: string; at: number; by: string | null; probability: number; amount: number | null; closingDate: string | null }

/** A deal from its rows (oldest first, one visit each): visits, the probability change at each move, the version. */
function dealOf(base: Omit<Deal, 'createdAt' | 'updatedAt' | 'version' | 'history' | 'changes'>, rows: Row[], stages: Map<string, StageInfo>, updatedAt: number): Deal {
  const history: StageVisit[] = new Array(rows.length);
  const changes: FieldChange[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const s = stages.get(r.stageId)!;
    if (i > 0 && r.probability !== rows[i - 1]!.probability) changes.push({ at: r.at, by: r.by, field: 'probability', from: rows[i - 1]!.probability, to: r.probability });
    history[i] = {
      pipelineId: base.pipelineId, stageId: r.stageId, enteredAt: r.at, exitedAt: i + 1 < rows.length ? rows[i + 1]!.at : null,
      amount: rows[0]!.amount, probability: r.probability, expectedRevenue: rows[0]!.amount === null ? null : (rows[0]!.amount * r.probability) / 100,
      closingDate: rows[0]!.closingDate, forecastCategory: s.forecastCategory, outcome: s.outcome, by: r.by, bypassedRules: false,
    };
  }
  const last = rows[rows.length - 1]!.at;
  return { ...base, createdAt: rows[0]!.at, updatedAt: Math.max(last, updatedAt), version: rows.length, history, changes };
}

function groupBy(rows: Rec[], key: (r: Rec) => string): Map<string, Rec[]> {
  const out = new Map<string, Rec[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Salesforce: stages, record types → processes, opportunities with their OpportunityHistory rows. */
export function handSalesforce(p: Rec): Deal[] {
  const stages = new Map<string, StageInfo>(p.stages.records.map((s: Rec) => [s.ApiName, { id: s.ApiName, probability: s.DefaultProbability, outcome: s.IsClosed ? (s.IsWon ? 'won' : 'lost') : 'open', forecastCategory: category(s.ForecastCategoryName) }]));
  const processOf = new Map<string, string>(p.recordTypes.records.map((r: Rec) => [r.Id, r.BusinessProcessId]));
  const rowsOf = groupBy(p.history.records, (r) => r.OpportunityId);
  return p.opportunities.records.map((o: Rec) => {
    const rows: Row[] = (rowsOf.get(o.Id) ?? []).map((r) => ({ stageId: r.StageName, at: instant(r.CreatedDate), by: r.CreatedById, probability: r.Probability, amount: r.Amount, closingDate: r.CloseDate }));
    rows.sort((a, b) => a.at - b.at);
    return dealOf({
      id: o.Id, layoutId: 'Opportunity', pipelineId: processOf.get(o.RecordTypeId) ?? 'Opportunity:standard', stageId: o.StageName, name: o.Name, amount: o.Amount,
      currency: o.CurrencyIsoCode ?? null, probability: o.Probability, closingDate: o.CloseDate, ownerId: o.OwnerId, lostReason: null, fields: {},
    }, rows, stages, instant(o.LastModifiedDate));
  });
}

/** Zoho: pipelines of the layout (stage names → ids), deals with their DealHistory rows. */
export function handZoho(p: Rec, layoutId: string): Deal[] {
  const stages = new Map<string, StageInfo>();
  const idOf = new Map<string, string>();
  for (const pipeline of p.pipelines[layoutId].pipeline) {
    for (const m of pipeline.maps) {
      idOf.set(m.actual_value, m.id);
      stages.set(m.id, { id: m.id, probability: p.stageProbabilities[m.actual_value], outcome: m.forecast_type === 'Open' ? 'open' : m.forecast_type === 'Closed Won' ? 'won' : 'lost', forecastCategory: category(m.forecast_category.name) });
    }
  }
  const rowsOf = groupBy(p.stageHistory.data, (r) => r.Potential_Name.id);
  return p.deals.data.map((d: Rec) => {
    const rows: Row[] = (rowsOf.get(d.id) ?? []).map((r) => ({ stageId: idOf.get(r.Stage)!, at: instant(r.Modified_Time), by: r.Modified_By.id, probability: r.Probability, amount: r.Amount, closingDate: r.Closing_Date }));
    rows.sort((a, b) => a.at - b.at);
    return dealOf({
      id: d.id, layoutId: d.Layout.id, pipelineId: d.Pipeline.id, stageId: idOf.get(d.Stage)!, name: d.Deal_Name, amount: d.Amount,
      currency: d.Currency, probability: d.Probability, closingDate: d.Closing_Date, ownerId: d.Owner.id, lostReason: null, fields: {},
    }, rows, stages, instant(d.Modified_Time));
  });
}
