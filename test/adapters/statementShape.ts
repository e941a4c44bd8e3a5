import type { PostgresClient, PostgresQueryable } from '../../src/postgres.js';

// The statement-shape rule that keeps every write a router transaction on a database sharded by
// tenant (Citus): a write (INSERT, UPDATE, DELETE, MERGE) names exactly one sp_ table, filters
// it by `tenant_id = $1` (an INSERT puts $1 in its tenant_id column), and is never part of a
// data-modifying CTE. Reads may join tables (all filtered by the same tenant, they route to the
// node holding it). A recording client checks every statement the adapter sends.

/** One statement as sent, and what is wrong with its shape (empty when nothing). */
export interface RecordedStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly problems: readonly string[];
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
  if (tables.length !== 1) problems.push(`names ${tables.length} sp_ tables (${tables.join(', ')}), not one`);
  const head = /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(sp_[a-z_]+)(?:\s+(?:AS\s+)?(?!SET\b|WHERE\b|USING\b|FROM\b)(\w+))?/i.exec(sql);
  if (head === null) problems.push('not a write of an sp_ table');
  else if (/^INSERT/i.test(head[1]!)) {
    const insert = /\(\s*tenant_id\s*,[^)]*\)\s*(?:OVERRIDING\s+SYSTEM\s+VALUE\s+)?(VALUES\s*\(\s*\$1\s*,|SELECT\s+\$1\s*,)/i;
    if (!insert.test(sql)) problems.push('an INSERT whose first column is not tenant_id = $1');
    if (/\bSELECT\b[\s\S]*\bFROM\s+sp_/i.test(sql)) problems.push('an INSERT … SELECT from an sp_ table');
  } else {
    const alias = head[3] ?? head[2]!;
    const filter = new RegExp(`\\b(WHERE|AND)\\s+(${alias}\\.|${head[2]}\\.)?tenant_id\\s*=\\s*\\$1\\b`, 'i');
    const where = /\bWHERE\b([\s\S]*)$/i.exec(sql)?.[1] ?? '';
    if (!filter.test(sql)) problems.push(`no "${alias}.tenant_id = $1" filter`);
    else if (/\bOR\b/i.test(where.replace(/\([^()]*\)/g, ''))) problems.push('an OR at the top of its WHERE, beside the tenant filter');
  }
  if (tenantId !== undefined && params[0] !== tenantId) problems.push('$1 is not the tenant id');
  return problems;
}

/** A client that records every statement it passes on (inside transactions too) with its shape problems. */
export function recordingClient(inner: PostgresClient): PostgresClient & { readonly statements: RecordedStatement[] } {
  const statements: RecordedStatement[] = [];
  const record = (sql: string, params: unknown[] = []) => {
    statements.push({ sql, params, problems: shapeProblems(sql, params) });
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

/** The recorded writes that break the rule, as readable lines (empty when all hold). */
export function violations(statements: readonly RecordedStatement[]): string[] {
  return statements.filter((s) => s.problems.length > 0).map((s) => `${s.problems.join('; ')}: ${s.sql.replace(/\s+/g, ' ').slice(0, 300)}`);
}
