import { describe, expect, it } from 'vitest';
import { isPulled, isWrite, shapeProblems } from './statementShape.js';

describe('the statement-shape check', () => {
  it('accepts single-table writes filtered by, or inserting, the tenant as $1', () => {
    for (const sql of [
      'UPDATE sp_deals d SET name = i.name FROM unnest($2::text[]) AS i(id, name) WHERE d.tenant_id = $1 AND d.id = i.id',
      'INSERT INTO sp_deal_changes (tenant_id, deal_id) SELECT w.tenant_id, x.id FROM sp_workspace w CROSS JOIN unnest($2::text[]) AS x(id) WHERE w.tenant_id = $1',
      'INSERT INTO sp_deal_changes (tenant_id, deal_id) SELECT $1, x.id FROM unnest($2::text[]) AS x(id)',
      'INSERT INTO sp_outbox (tenant_id, event_id, body) VALUES ($1, $2::text, $3::jsonb), ($1, $4::text, $5::jsonb)',
      'INSERT INTO sp_workspace (tenant_id, version, body) VALUES ($1, $2, $3::jsonb) ON CONFLICT (tenant_id) DO NOTHING',
      'DELETE FROM sp_deal_changes WHERE tenant_id = $1 AND deal_id = $2',
    ]) expect(shapeProblems(sql, ['t'], 't'), sql).toEqual([]);
  });

  it('refuses writable CTEs, two tables, a missing or widened tenant filter, INSERT … SELECT from a table or into the outbox, STABLE functions in SET, and $1 not the tenant', () => {
    const bad = [
      'WITH x AS (UPDATE sp_deals SET version = 2 WHERE tenant_id = $1 RETURNING 1) SELECT 1',
      'UPDATE sp_deals d SET version = 2 FROM sp_stage_visits v WHERE d.tenant_id = $1 AND v.deal_id = d.id',
      'UPDATE sp_deals SET version = 2 WHERE id = $2',
      'UPDATE sp_deals SET version = 2 WHERE tenant_id = $1 OR id = $2',
      'DELETE FROM sp_outbox WHERE seq = ANY($2)',
      'INSERT INTO sp_outbox (event_id, tenant_id) VALUES ($2, $1)',
      'INSERT INTO sp_deal_changes (tenant_id, deal_id) SELECT $1, id FROM sp_deals WHERE tenant_id = $1',
      'INSERT INTO sp_deal_changes (tenant_id, deal_id) SELECT w.tenant_id, d.id FROM sp_workspace w CROSS JOIN sp_deals d WHERE w.tenant_id = $1',
      'INSERT INTO sp_outbox (tenant_id, event_id) SELECT $1, e.id FROM unnest($2::text[]) AS e(id)',
      'INSERT INTO sp_outbox (tenant_id, event_id) VALUES ($1, $2), ($3, $4)',
      "UPDATE sp_outbox SET body = jsonb_build_object('type', body->'type') WHERE tenant_id = $1 AND deal_id = $2",
    ];
    for (const sql of bad) expect(shapeProblems(sql, ['t'], 't').length, sql).toBeGreaterThan(0);
    expect(shapeProblems('DELETE FROM sp_outbox WHERE tenant_id = $1', ['other'], 't')).toEqual(['$1 is not the tenant id']);
  });

  it('tells an INSERT … SELECT from arrays alone (pulled through the coordinator) from one beside the workspace row', () => {
    expect(isPulled('INSERT INTO sp_deals (tenant_id, id) SELECT $1, i.id FROM unnest($2::text[]) AS i(id)')).toBe(true);
    expect(isPulled('INSERT INTO sp_deals (tenant_id, id) SELECT w.tenant_id, i.id FROM sp_workspace w CROSS JOIN unnest($2::text[]) AS i(id) WHERE w.tenant_id = $1')).toBe(false);
    expect(isPulled('INSERT INTO sp_outbox (tenant_id, event_id) VALUES ($1, $2)')).toBe(false);
  });

  it('leaves reads alone, joins included, and sees writes inside CTEs', () => {
    expect(shapeProblems('SELECT d.id FROM sp_deals d JOIN sp_stage_visits v ON v.deal_id = d.id WHERE d.tenant_id = $1', ['t'])).toEqual([]);
    expect(isWrite('WITH a AS (SELECT 1) DELETE FROM sp_deals WHERE tenant_id = $1')).toBe(true);
    expect(isWrite('SELECT id FROM sp_deals WHERE tenant_id = $1 FOR UPDATE')).toBe(false);
  });
});
