// The SQL a developer would write by hand on the adapter's schema (sp_deals + sp_stage_visits),
// without the library: the baselines of bench/storage.sqlite.bench.ts.
import type Database from 'better-sqlite3';

type Db = Database.Database;

/** The probability of each stage of the dealer's two pipelines (examples/dealership.ts). */
export const PROBABILITY: Record<string, Record<string, number>> = {
  'new-cars': { requirements: 10, 'test-drive': 30, quote: 60, negotiation: 80, won: 100, lost: 0 },
  'used-cars': { 'show-models': 15, 'test-drive': 30, quote: 50, negotiation: 80, won: 100, lost: 0 },
};

/** Moves every deal of `from` to `to` with a stage map: close the open visit, move the deal, open a visit. One transaction. */
export function sqlBulkMove(db: Db, tenantId: string, from: string, to: string, stageMap: Readonly<Record<string, string>>, at: number): number {
  const mapped = `CASE stage_id ${Object.entries(stageMap).map(([a, b]) => `WHEN '${a}' THEN '${b}'`).join(' ')} ELSE stage_id END`;
  const probability = `CASE ${mapped} ${Object.entries(PROBABILITY[to]!).map(([s, p]) => `WHEN '${s}' THEN ${p}`).join(' ')} END`;
  const move = db.transaction(() => {
    db.prepare(`UPDATE sp_stage_visits SET exited_at = ? WHERE (tenant_id, deal_id, seq) IN
      (SELECT tenant_id, id, visit_count - 1 FROM sp_deals WHERE tenant_id = ? AND pipeline_id = ?)`).run(at, tenantId, from);
    // The deal's change log records a probability the move changes, as the library's does.
    const logged = `CASE WHEN ${probability} = probability THEN json(coalesce(json_extract(body, '$.changes'), '[]'))
      ELSE json_insert(coalesce(json_extract(body, '$.changes'), '[]'), '$[#]', json_object('at', ?, 'by', 'manager', 'field', 'probability', 'from', probability, 'to', ${probability})) END`;
    const { changes } = db.prepare(`UPDATE sp_deals SET pipeline_id = ?, stage_id = ${mapped}, probability = ${probability}, stage_entered_at = ?,
        updated_at = ?, version = version + 1, visit_count = visit_count + 1,
        body = json_set(body, '$.pipelineId', ?, '$.stageId', ${mapped}, '$.probability', ${probability}, '$.updatedAt', ?, '$.version', version + 1, '$.changes', ${logged})
      WHERE tenant_id = ? AND pipeline_id = ?`).run(to, at, at, to, at, at, tenantId, from);
    db.prepare(`INSERT INTO sp_stage_visits (tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount, probability,
        expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules)
      SELECT tenant_id, id, visit_count - 1, layout_id, pipeline_id, stage_id, ?, NULL, amount, probability, amount * probability / 100,
        json_extract(body, '$.closingDate'), 'pipeline', 'open', 'manager', 0
      FROM sp_deals WHERE tenant_id = ? AND pipeline_id = ? AND updated_at = ?`).run(at, tenantId, to, at);
    return changes;
  });
  return move.immediate();
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareDispatch>>();
function prepareDispatch(db: Db) {
  return {
    read: db.prepare<[string, string], { version: number; stage_id: string; pipeline_id: string; visit_count: number; amount: number | null; layout_id: string; probability: number }>(
      'SELECT version, stage_id, pipeline_id, visit_count, amount, layout_id, probability FROM sp_deals WHERE tenant_id = ? AND id = ?'),
    close: db.prepare('UPDATE sp_stage_visits SET exited_at = ? WHERE tenant_id = ? AND deal_id = ? AND seq = ?'),
    open: db.prepare(`INSERT INTO sp_stage_visits (tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount, probability,
        expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, 'pipeline', 'open', 'rep', 0)`),
    update: db.prepare(`UPDATE sp_deals SET stage_id = ?, probability = ?, stage_entered_at = ?, updated_at = ?, version = version + 1, visit_count = visit_count + 1,
        body = json_set(body, '$.stageId', ?, '$.probability', ?, '$.updatedAt', ?, '$.version', version + 1)
      WHERE tenant_id = ? AND id = ? AND version = ?`),
    // The same, when the move changes the probability: the deal's change log records it, as the library's does.
    updateLogged: db.prepare(`UPDATE sp_deals SET stage_id = ?, probability = ?, stage_entered_at = ?, updated_at = ?, version = version + 1, visit_count = visit_count + 1,
        body = json_set(body, '$.stageId', ?, '$.probability', ?, '$.updatedAt', ?, '$.version', version + 1,
          '$.changes', json_insert(coalesce(json_extract(body, '$.changes'), '[]'), '$[#]', json_object('at', ?, 'by', 'rep', 'field', 'probability', 'from', ?, 'to', ?)))
      WHERE tenant_id = ? AND id = ? AND version = ?`),
  };
}

/** One stage move: read the deal, check the stage belongs to its pipeline and the required amount, update. One transaction. */
export function sqlDispatch(db: Db, tenantId: string, dealId: string, stageId: string, at: number): void {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepareDispatch(db)));
  const q = s;
  db.transaction(() => {
    const deal = q.read.get(tenantId, dealId);
    if (!deal) throw new Error(`no deal ${dealId}`);
    const probability = PROBABILITY[deal.pipeline_id]?.[stageId];
    if (probability === undefined) throw new Error(`stage ${stageId} is not in ${deal.pipeline_id}`);
    if (stageId === 'negotiation' && deal.amount === null) throw new Error('amount required');
    if (deal.stage_id === stageId) return;
    q.close.run(at, tenantId, dealId, deal.visit_count - 1);
    q.open.run(tenantId, dealId, deal.visit_count, deal.layout_id, deal.pipeline_id, stageId, at, deal.amount, probability, deal.amount === null ? null : (deal.amount * probability) / 100);
    const updated = deal.probability === probability
      ? q.update.run(stageId, probability, at, at, stageId, probability, at, tenantId, dealId, deal.version)
      : q.updateLogged.run(stageId, probability, at, at, stageId, probability, at, at, deal.probability, probability, tenantId, dealId, deal.version);
    if (updated.changes !== 1) throw new Error('conflict');
  }).immediate();
}

/** Dwell statistics per (pipeline, stage) of completed visits: SQL sorts the durations per group, one pass computes the figures. */
export function sqlDwell(db: Db, tenantId: string): { pipelineId: string | null; stageId: string; visits: number; meanMs: number; medianMs: number; p90Ms: number; maxMs: number }[] {
  const rows = db.prepare(`SELECT pipeline_id, stage_id, exited_at - entered_at FROM sp_stage_visits
    WHERE tenant_id = ? AND exited_at IS NOT NULL ORDER BY pipeline_id, stage_id, 3`).raw().all(tenantId) as [string | null, string, number][];
  const out = [];
  for (let start = 0; start < rows.length; ) {
    let end = start;
    let sum = 0;
    while (end < rows.length && rows[end]![0] === rows[start]![0] && rows[end]![1] === rows[start]![1]) sum += rows[end++]![2];
    const n = end - start;
    const at = (k: number) => rows[start + k]![2];
    const median = n % 2 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
    out.push({ pipelineId: rows[start]![0], stageId: rows[start]![1], visits: n, meanMs: sum / n, medianMs: median, p90Ms: at(Math.ceil(0.9 * n) - 1), maxMs: at(n - 1) });
    start = end;
  }
  return out;
}
