// Hand-written importers of the bench payloads: what a developer would write for exactly these
// shapes (no checks, no warnings), building the same deals as the library's importers.
import type { Deal, FieldChange, StageVisit } from '../src/index.js';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface StageInfo { probability: number; outcome: 'open' | 'won' | 'lost'; forecastCategory: 'pipeline' | 'closed' | 'omitted' }

function hubStages(pipelines: Any): Map<string, StageInfo> {
  const out = new Map<string, StageInfo>();
  for (const p of pipelines.results) {
    for (const s of p.stages) {
      const probability = Math.round(Number(s.metadata.probability) * 100);
      const closed = s.metadata.isClosed === 'true';
      const outcome = closed ? (probability === 100 ? 'won' : 'lost') : 'open';
      out.set(s.id, { probability, outcome, forecastCategory: outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline' });
    }
  }
  return out;
}

interface Move { stageId: string; at: number; by: string | null }

/** The deal from its moves, one amount change and its stage probabilities (shared by both vendors' baselines). */
function build(base: Any, moves: Move[], pipelineId: string, stages: Map<string, StageInfo>, amount0: number, amountChange: { at: number; by: string | null; to: number }, closingDate: string, updatedAt: number): Deal {
  // A history entry that repeats the amount is no change (HubSpot lists every write of the property).
  const changes: FieldChange[] = amountChange.to === amount0 ? [] : [{ at: amountChange.at, by: amountChange.by, field: 'amount', from: amount0, to: amountChange.to }];
  const history: StageVisit[] = new Array(moves.length);
  let probability = 0;
  for (let v = 0; v < moves.length; v++) {
    const m = moves[v]!;
    const info = stages.get(m.stageId)!;
    if (v > 0 && info.probability !== probability) changes.push({ at: m.at, by: m.by, field: 'probability', from: probability, to: info.probability });
    probability = info.probability;
    const amount = m.at >= amountChange.at ? amountChange.to : amount0;
    history[v] = {
      pipelineId, stageId: m.stageId, enteredAt: m.at, exitedAt: moves[v + 1]?.at ?? null, amount, probability, expectedRevenue: (amount * probability) / 100,
      closingDate, forecastCategory: info.forecastCategory, outcome: info.outcome, by: m.by, bypassedRules: false,
    };
  }
  changes.sort((a, b) => a.at - b.at);
  const instants = new Set<number>();
  for (const m of moves) instants.add(m.at);
  for (const c of changes) instants.add(c.at);
  const last = moves[moves.length - 1]!;
  return {
    ...base, pipelineId, stageId: last.stageId, amount: amountChange.to, probability, closingDate,
    createdAt: moves[0]!.at, updatedAt: Math.max(last.at, updatedAt, changes[changes.length - 1]?.at ?? last.at), version: instants.size, history, changes,
  } as Deal;
}

/** HubSpot CRM v3 deals with dealstage and amount histories. */
export function handHubSpot(payload: { pipelines: unknown; deals: unknown[] }): Deal[] {
  const stages = hubStages(payload.pipelines as Any);
  return (payload.deals as Any[]).map((d) => {
    const p = d.properties;
    const h = d.propertiesWithHistory;
    const entries = h.dealstage as Any[];
    const moves: Move[] = [];
    for (let k = entries.length - 1; k >= 0; k--) {
      const e = entries[k]!;
      moves.push({ stageId: e.value, at: Date.parse(e.timestamp), by: e.updatedByUserId === undefined ? null : String(e.updatedByUserId) });
    }
    const [later, first] = h.amount as [Any, Any];
    const base = { id: d.id, layoutId: 'deals', name: p.dealname, currency: p.deal_currency_code, ownerId: p.hubspot_owner_id, lostReason: null, fields: {} };
    const change = { at: Date.parse(later.timestamp), by: String(later.updatedByUserId), to: Number(later.value) };
    return build(base, moves, p.pipeline, stages, Number(first.value), change, p.closedate.slice(0, 10), Date.parse(p.hs_lastmodifieddate));
  });
}

const pdInstant = (s: string): number => Date.parse(`${s.replace(' ', 'T')}Z`);

/** Pipedrive v1 deals and their flows: stage and value changes. */
export function handPipedrive(payload: { pipelines: unknown; stages: unknown; deals: unknown[]; flows: Record<string, unknown> }): Deal[] {
  const stages = new Map<string, StageInfo>();
  for (const s of (payload.stages as Any).data) stages.set(String(s.id), { probability: s.deal_probability, outcome: 'open', forecastCategory: 'pipeline' });
  return (payload.deals as Any[]).map((d) => {
    const rows = (payload.flows[String(d.id)] as Any).data as Any[];
    const moves: Move[] = [{ stageId: '', at: pdInstant(d.add_time), by: null }];
    let change = { at: 0, by: null as string | null, to: 0 };
    let amount0 = 0;
    for (let k = rows.length - 1; k >= 0; k--) {
      const r = rows[k]!.data;
      if (r.field_key === 'stage_id') {
        if (moves.length === 1) moves[0]!.stageId = r.old_value;
        moves.push({ stageId: r.new_value, at: pdInstant(r.log_time), by: String(r.user_id) });
      } else if (r.field_key === 'value') {
        change = { at: pdInstant(r.log_time), by: String(r.user_id), to: Number(r.new_value) };
        amount0 = Number(r.old_value);
      }
    }
    const base = { id: String(d.id), layoutId: 'deals', name: d.title, currency: d.currency, ownerId: String(d.user_id.id), lostReason: null, fields: {} };
    return build(base, moves, String(d.pipeline_id), stages, amount0, change, d.expected_close_date, pdInstant(d.update_time));
  });
}
