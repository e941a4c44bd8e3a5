import fc from 'fast-check';

// Random true histories (with revisits) and the payloads HubSpot and Pipedrive would export for them.

export const HUB_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'] as const;
const T0 = Date.UTC(2024, 0, 1);

export const hubPipelines = {
  results: [{
    id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false,
    stages: HUB_STAGES.map((id, i) => ({ id, label: id, displayOrder: i, archived: false, metadata: { isClosed: String(i >= 5), probability: i === 5 ? '1.0' : i === 6 ? '0.0' : String((i + 1) / 10) } })),
  }],
};

/** A true history: stays in order (no stage twice in a row), the last one open. */
export interface TrueDeal {
  readonly id: string;
  readonly stays: readonly { stageId: string; start: number; end: number | null }[];
}

/** Stage indexes (consecutive ones distinct) and durations; `unit` rounds durations (1000: whole seconds). */
export function arbStays(stageCount: number, unit: number): fc.Arbitrary<{ stageId: string; start: number; end: number | null }[]> {
  return fc
    .record({
      first: fc.nat({ max: stageCount - 1 }),
      steps: fc.array(fc.record({ skip: fc.integer({ min: 1, max: stageCount - 1 }), units: fc.integer({ min: 1, max: 10 * 86_400 }) }), { minLength: 0, maxLength: 8 }),
      start: fc.integer({ min: 0, max: 300 * 86_400 }),
    })
    .map(({ first, steps, start }) => {
      let stage = first;
      let t = T0 + start * 1000;
      const stays: { stageId: string; start: number; end: number | null }[] = [];
      for (const step of steps) {
        const end = t + step.units * unit;
        stays.push({ stageId: String(stage), start: t, end });
        stage = (stage + step.skip) % stageCount;
        t = end;
      }
      stays.push({ stageId: String(stage), start: t, end: null });
      return stays;
    });
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** HubSpot's stage-calculated properties of a true history (completed stays only, as HubSpot counts). */
export function hubFigures(stays: TrueDeal['stays']): Record<string, string> {
  const props: Record<string, string> = {};
  const open = stays[stays.length - 1]!;
  for (const s of stays) {
    props[`hs_v2_date_entered_${s.stageId}`] = iso(s.start);
    if (s.end === null) continue;
    props[`hs_v2_date_exited_${s.stageId}`] = iso(s.end);
    props[`hs_v2_latest_time_in_${s.stageId}`] = String(s.end - s.start);
    props[`hs_v2_cumulative_time_in_${s.stageId}`] = String(Number(props[`hs_v2_cumulative_time_in_${s.stageId}`] ?? 0) + s.end - s.start);
  }
  props.hs_v2_date_entered_current_stage = iso(open.start);
  props.hs_v2_time_in_current_stage = iso(open.start);
  return props;
}

/** A HubSpot v3 deal of a true history; with `withHistory`, `propertiesWithHistory.dealstage` lists every entry. */
export function hubDeal(d: TrueDeal, withHistory: boolean, currency: string | null): Record<string, unknown> {
  const open = d.stays[d.stays.length - 1]!;
  const properties: Record<string, string | null> = {
    dealname: `Deal ${d.id}`, dealstage: open.stageId, pipeline: 'default', createdate: iso(d.stays[0]!.start),
    hs_lastmodifieddate: iso(open.start), amount: '1000', deal_currency_code: currency, ...hubFigures(d.stays),
  };
  const deal: Record<string, unknown> = { id: d.id, properties, archived: false };
  if (withHistory) deal.propertiesWithHistory = { dealstage: [...d.stays].reverse().map((s) => ({ value: s.stageId, timestamp: iso(s.start), sourceType: 'CRM_UI' })) };
  return deal;
}

export const arbHubDeals = fc
  .array(fc.record({ stays: arbStays(HUB_STAGES.length, 1), withHistory: fc.boolean(), currency: fc.constantFrom(null, 'USD') }), { minLength: 1, maxLength: 12 })
  .map((list) => list.map((x, i) => ({
    truth: { id: String(1000 + i), stays: x.stays.map((s) => ({ ...s, stageId: HUB_STAGES[Number(s.stageId)]! })) },
    withHistory: x.withHistory,
    currency: x.currency,
  })));

const fmt = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export const pdSetup = {
  pipelines: { data: [{ id: 1, name: 'Sales', order_nr: 1, active: true }, { id: 2, name: 'Empty', order_nr: 2, active: true }] },
  stages: { data: [1, 2, 3, 4].map((id) => ({ id, name: `Stage ${id}`, order_nr: id, pipeline_id: 1, deal_probability: id * 20, active_flag: true })) },
};

/** A Pipedrive v1 deal, its flow, and its stay_in_pipeline_stages, from a true history in pipeline 1 (whole seconds). */
export function pdDeal(id: number, stays: TrueDeal['stays'], close: 'open' | 'won' | 'lost', closeAfter: number): { deal: Record<string, unknown>; flow: unknown } {
  const rows: unknown[] = [{ object: 'dealChange', timestamp: fmt(stays[0]!.start), data: { item_id: id, field_key: 'add_time', old_value: null, new_value: fmt(stays[0]!.start), log_time: fmt(stays[0]!.start) } }];
  for (let i = 1; i < stays.length; i++) {
    rows.push({ object: 'dealChange', timestamp: fmt(stays[i]!.start), data: { item_id: id, user_id: 5, field_key: 'stage_id', old_value: stays[i - 1]!.stageId, new_value: stays[i]!.stageId, log_time: fmt(stays[i]!.start) } });
  }
  const last = stays[stays.length - 1]!;
  const closedAt = close === 'open' ? null : last.start + closeAfter * 1000;
  if (closedAt !== null) rows.push({ object: 'dealChange', timestamp: fmt(closedAt), data: { item_id: id, user_id: 5, field_key: 'status', old_value: 'open', new_value: close, log_time: fmt(closedAt) } });
  const times: Record<string, number> = {};
  for (const s of stays) times[s.stageId] = (times[s.stageId] ?? 0) + ((s.end ?? closedAt ?? last.start + 777_000) - s.start) / 1000;
  const deal = {
    id, title: `Deal ${id}`, stage_id: Number(last.stageId), pipeline_id: 1, status: close, value: 100, currency: 'EUR',
    add_time: fmt(stays[0]!.start), update_time: fmt(closedAt ?? last.start), won_time: close === 'won' ? fmt(closedAt!) : null, lost_time: close === 'lost' ? fmt(closedAt!) : null,
    stay_in_pipeline_stages: { times_in_stages: times, order_of_stages: [1, 2, 3, 4] },
  };
  return { deal, flow: { success: true, data: rows.reverse() } };
}

export const arbPdDeals = fc
  .array(fc.record({ stays: arbStays(4, 1000), close: fc.constantFrom('open', 'won', 'lost') as fc.Arbitrary<'open' | 'won' | 'lost'>, closeAfter: fc.integer({ min: 1, max: 86_400 }) }), { minLength: 1, maxLength: 10 })
  .map((list) => list.map((x, i) => pdDeal(500 + i, x.stays.map((s) => ({ ...s, stageId: String(Number(s.stageId) + 1) })), x.close, x.closeAfter)));
