import type { PostgresClient, PostgresQueryable } from '../../src/postgres.js';

// The statement-shape rule that keeps every write a router transaction on a database sharded by
// tenant (Citus 13, checked on a cluster): a write (INSERT, UPDATE, DELETE, MERGE) names one sp_
// table, filters it by `tenant_id = $1`, and is never part of a data-modifying CTE. An INSERT
// either lists VALUES rows that each start with $1, or selects its arrays beside the tenant's
// workspace row (`FROM sp_workspace w CROSS JOIN unnest(...) WHERE w.tenant_id = $1`, the tenant
// taken from `w.tenant_id`): Citus runs that as one task on the tenant's node, while an INSERT …
// SELECT from arrays alone, or into sp_outbox (whose seq is an identity), is pulled through the
// coordinator. An UPDATE may not call a STABLE function over column values (jsonb_build_object,
// to_jsonb, now(): Citus refuses them). Reads may join tables (all filtered by the same tenant,
// they route to the node holding it). A recording client checks every statement the adapter sends.

/** One statement as sent, and what is wrong with its shape (empty when nothing). */
export interface RecordedStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly problems: readonly string[];
  /** An INSERT … SELECT from arrays alone: one node still, but through the coordinator (see {@link isPulled}). */
  readonly pulled: boolean;
}

const ANCHORED = /\bSELECT\s+w\.tenant_id\s*,[\s\S]*\bFROM\s+sp_workspace\s+w\s+CROSS\s+JOIN\b[\s\S]*\bWHERE\s+w\.tenant_id\s*=\s*\$1\b/i;
const BARE = /\bSELECT\s+\$1\s*,/i;
const STABLE_IN_SET = /\b(jsonb_build_object|json_build_object|to_jsonb|to_json|row_to_json|now|clock_timestamp|current_timestamp)\s*\(/i;

/**
 * Whether an INSERT … SELECT reads its arrays alone (no workspace row beside them): the adapter
 * sends that only for a tenant with no workspace row (a host saving deals before any
 * configuration), and Citus pulls it through the coordinator.
 */
export function isPulled(sql: string): boolean {
  return /^\s*INSERT\b/i.test(sql) && BARE.test(sql) && !ANCHORED.test(sql);
}

const WRITE = /^\s*(INSERT|UPDATE|DELETE|MERGE)\b/i;
const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

/** Whether a statement writes (at its top, or inside a CTE). */
export function isWrite(sql: string): boolean {
  return WRITE.test(sql) || (/^\s*WITH\b/i.test(sql) && /\b(INSERT\s+INTO|UPDATE\s+\w+\s+(\w+\s+)?SET|DELETE\s+FROM|MERGE\s+INTO)\b/i.test(sql));
}

/** The problems of one statement's shape under the rule above; `tenantId` is what $1 must be. */
export function shapeProblems(sql: string, params: readonly unknown[], tenantId?: string): string[] {
  if (CONTROL.test(sql) || !isWrite(sql)) return [];
  const problems: string[] = [];
  if (/^\s*WITH\b/i.test(sql)) problems.push('a data-modifying CTE');
  const tables = [...new Set(sql.match(/\bsp_[a-z_]+\b/gi) ?? [])].filter((t) => !/^sp_[a-z_]+_(pkey|by_\w+|due|streams|delivered|parked)$/i.test(t));
  const head = /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(sp_[a-z_]+)(?:\s+(?:AS\s+)?(?!SET\b|WHERE\b|USING\b|FROM\b)(\w+))?/i.exec(sql);
  const anchored = head !== null && /^INSERT/i.test(head[1]!) && ANCHORED.test(sql);
  const others = tables.filter((t) => t !== head?.[2] && !(anchored && t === 'sp_workspace'));
  if (head !== null && others.length > 0) problems.push(`names ${tables.length} sp_ tables (${tables.join(', ')}), not one`);
  if (head === null) problems.push('not a write of an sp_ table');
  else if (/^INSERT/i.test(head[1]!)) {
    const values = /\(\s*tenant_id\s*,[^)]*\)\s*(?:OVERRIDING\s+SYSTEM\s+VALUE\s+)?VALUES\s*\(/i.test(sql);
    if (values) {
      const rows = sql.slice(sql.search(/\bVALUES\b/i)).match(/(?:VALUES|,)\s*\(\s*([^,\s)]+)/gi) ?? [];
      if (!rows.every((r) => /\(\s*\$1$/.test(r))) problems.push('an INSERT … VALUES with a row whose first value is not $1');
    } else if (!/\(\s*tenant_id\s*,/i.test(sql) || !(anchored || BARE.test(sql))) {
      problems.push('an INSERT whose first column is not tenant_id = $1 or the workspace row\'s w.tenant_id');
    } else if (head[2] === 'sp_outbox') {
      problems.push('an INSERT … SELECT into sp_outbox (an identity column: pulled through the coordinator)');
    }
  } else {
    const alias = head[3] ?? head[2]!;
    const filter = new RegExp(`\\b(WHERE|AND)\\s+(${alias}\\.|${head[2]}\\.)?tenant_id\\s*=\\s*\\$1\\b`, 'i');
    const where = /\bWHERE\b([\s\S]*)$/i.exec(sql)?.[1] ?? '';
    if (!filter.test(sql)) problems.push(`no "${alias}.tenant_id = $1" filter`);
    else if (/\bOR\b/i.test(where.replace(/\([^()]*\)/g, ''))) problems.push('an OR at the top of its WHERE, beside the tenant filter');
    if (/^UPDATE/i.test(head[1]!) && STABLE_IN_SET.test(/\bSET\b([\s\S]*?)(\bFROM\b|\bWHERE\b|$)/i.exec(sql)?.[1] ?? '')) {
      problems.push('a STABLE function in an UPDATE\'s SET');
    }
  }
  if (tenantId !== undefined && params[0] !== tenantId) problems.push('$1 is not the tenant id');
  return problems;
}

/** A client that records every statement it passes on (inside transactions too) with its shape problems. */
export function recordingClient(inner: PostgresClient): PostgresClient & { readonly statements: RecordedStatement[] } {
  const statements: RecordedStatement[] = [];
  const record = (sql: string, params: unknown[] = []) => {
    statements.push({ sql, params, problems: shapeProblems(sql, params), pulled: isPulled(sql) });
  };
  const wrap = (q: PostgresQueryable): PostgresQueryable => ({
    query: <R>(sql: string, params?: unknown[]) => {
      record(sql, params);
      return q.query<R>(sql, params);
    },
  });
  return {
    statements,
    query: <R>(sql: string, params?: unknown[]) => {
      record(sql, params);
      return inner.query<R>(sql, params);
    },
    transaction: (fn) => inner.transaction((tx) => fn(wrap(tx))),
  };
}

/** The recorded INSERT … SELECTs from arrays alone (see {@link isPulled}), as readable lines. */
export function pulled(statements: readonly RecordedStatement[]): string[] {
  return statements.filter((s) => s.pulled).map((s) => s.sql.replace(/\s+/g, ' ').slice(0, 200));
}

/** The recorded writes that break the rule, as readable lines (empty when all hold). */
export function violations(statements: readonly RecordedStatement[]): string[] {
  return statements.filter((s) => s.problems.length > 0).map((s) => `${s.problems.join('; ')}: ${s.sql.replace(/\s+/g, ' ').slice(0, 300)}`);
}
