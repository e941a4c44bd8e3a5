// Deterministic vendor payloads for the import benchmarks: HubSpot CRM v3 deals with their
// dealstage history (8 entries each, revisits included) and Pipedrive v1 deals with their flows.

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6);

export const HUB_STAGES = [
  ['appointmentscheduled', '0.1'], ['qualifiedtobuy', '0.2'], ['presentationscheduled', '0.4'], ['decisionmakerboughtin', '0.6'], ['contractsent', '0.8'],
] as const;

export const hubPipelines = {
  results: [{
    id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false,
    stages: [
      ...HUB_STAGES.map(([id, probability], i) => ({ id, label: id, displayOrder: i, archived: false, metadata: { isClosed: 'false', probability } })),
      { id: 'closedwon', label: 'Closed won', displayOrder: 5, archived: false, metadata: { isClosed: 'true', probability: '1.0' } },
      { id: 'closedlost', label: 'Closed lost', displayOrder: 6, archived: false, metadata: { isClosed: 'true', probability: '0.0' } },
    ],
  }],
};

/** A small linear congruential generator, so every run sees the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** The stage path of deal `i`: 8 entries, back and forth, every fourth deal won at the end. */
function path(i: number, rnd: () => number): string[] {
  const out: string[] = [];
  let s = 0;
  for (let v = 0; v < 8; v++) {
    if (v === 7 && i % 4 === 0) out.push('closedwon');
    else out.push(HUB_STAGES[s]![0]);
    s = rnd() < 0.3 && s > 0 ? s - 1 : Math.min(s + 1, 4);
    if (HUB_STAGES[s]![0] === out[out.length - 1]) s = s === 0 ? 1 : s - 1;
  }
  return out;
}

/** `count` HubSpot deals as `GET /crm/v3/objects/deals?propertiesWithHistory=dealstage,amount` returns them. */
export function hubDeals(count: number): unknown[] {
  const rnd = lcg(count);
  const deals: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const stages = path(i, rnd);
    let t = T0 + Math.floor(rnd() * 2000) * HOUR;
    const times = stages.map(() => (t += (1 + Math.floor(rnd() * 200)) * HOUR));
    const iso = times.map((x) => new Date(x).toISOString());
    const amount = String(1000 + (i % 97) * 100);
    const later = String(1500 + (i % 89) * 100);
    deals[i] = {
      id: String(10_000_000 + i),
      properties: {
        dealname: `Deal ${i}`, dealstage: stages[7], pipeline: 'default', amount: later, closedate: '2025-09-30T00:00:00.000Z',
        createdate: iso[0], hs_lastmodifieddate: iso[7], deal_currency_code: 'USD', hubspot_owner_id: String(100 + (i % 17)),
      },
      propertiesWithHistory: {
        dealstage: stages.map((value, v) => ({ value, timestamp: iso[v], sourceType: 'CRM_UI', updatedByUserId: 100 + (i % 17) })).reverse(),
        amount: [{ value: later, timestamp: iso[3], sourceType: 'CRM_UI', updatedByUserId: 100 + (i % 17) }, { value: amount, timestamp: iso[0], sourceType: 'API' }],
      },
      createdAt: iso[0], updatedAt: iso[7], archived: false,
    };
  }
  return deals;
}

export const pdConfig = {
  pipelines: { data: [{ id: 1, name: 'Sales', order_nr: 1, active: true }] },
  stages: { data: [1, 2, 3, 4, 5].map((id) => ({ id, name: `Stage ${id}`, order_nr: id, pipeline_id: 1, deal_probability: id * 15, active_flag: true })) },
};

const pdTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** `count` Pipedrive v1 deals and their flows (`GET /v1/deals/{id}/flow`): 8 stages each, one value change. */
export function pdDeals(count: number): { deals: unknown[]; flows: Record<string, unknown> } {
  const rnd = lcg(count + 7);
  const deals: unknown[] = new Array(count);
  const flows: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const id = 1 + i;
    const stages = path(1, rnd).map((s) => String(1 + HUB_STAGES.findIndex(([x]) => x === s)));
    let t = T0 + Math.floor(rnd() * 2000) * HOUR;
    const times = stages.map(() => pdTime((t += (1 + Math.floor(rnd() * 200)) * 1000 * 3600)));
    const rows: unknown[] = [{ object: 'dealChange', timestamp: times[0], data: { id: id * 10, item_id: id, user_id: 7, field_key: 'add_time', old_value: null, new_value: times[0], log_time: times[0] } }];
    for (let v = 1; v < 8; v++) {
      rows.push({ object: 'dealChange', timestamp: times[v], data: { id: id * 10 + v, item_id: id, user_id: 7, field_key: 'stage_id', old_value: stages[v - 1], new_value: stages[v], log_time: times[v] } });
      if (v === 3) rows.push({ object: 'dealChange', timestamp: times[v], data: { id: id * 10 + 9, item_id: id, user_id: 7, field_key: 'value', old_value: '1000', new_value: '1500', log_time: times[v] } });
    }
    flows[String(id)] = { success: true, data: rows.reverse() };
    deals[i] = {
      id, title: `Deal ${i}`, stage_id: Number(stages[7]), pipeline_id: 1, status: 'open', value: 1500, currency: 'EUR', user_id: { id: 7, name: 'Rep' },
      add_time: times[0], update_time: times[7], expected_close_date: '2025-09-30', probability: null,
    };
  }
  return { deals, flows };
}
