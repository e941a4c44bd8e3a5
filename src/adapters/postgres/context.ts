import type { StageVisit } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import type { PostgresQueryable } from './client.js';
import type { DealRead } from '../storedRows.js';

/** What the repositories of one tenant share. */
export interface Context {
  readonly db: PostgresQueryable;
  /** Runs `fn` in one transaction (the client's own, or BEGIN/COMMIT on a single-connection client). */
  readonly transaction: <T>(fn: (tx: PostgresQueryable) => Promise<T>) => Promise<T>;
  readonly tenantId: string;
  readonly validate: boolean;
  /**
   * The deal reads this object handed out (visits frozen), by the first visit of each. A save
   * over the version a deal was read at, whose history still holds those visits at the same
   * places, knows those rows are stored unchanged: it sends only what differs, and the version
   * check under the row locks makes that safe.
   */
  readonly known: WeakMap<StageVisit, DealRead>;
  /** The tails this object handed out, by deal id (at most `TAIL_READS`; see `rememberTail`). */
  readonly tails: Map<string, DealRead>;
  /** The workspace last read through this object (frozen) and the tag of its row, read again only when the tag changed. */
  workspace: { readonly tag: string; readonly ws: Workspace } | null;
}

type Transactional = PostgresQueryable & { transaction?: <T>(fn: (tx: PostgresQueryable) => Promise<T>) => Promise<T> };

/** BEGIN / COMMIT (ROLLBACK on failure) on a client that is one connection. */
function onOneConnection(db: PostgresQueryable) {
  return async <T>(fn: (tx: PostgresQueryable) => Promise<T>): Promise<T> => {
    await db.query('BEGIN');
    try {
      const result = await fn(db);
      await db.query('COMMIT');
      return result;
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  };
}

export function createContext(db: Transactional, tenantId: string, validate: boolean): Context {
  const transaction = typeof db.transaction === 'function' ? db.transaction.bind(db) : onOneConnection(db);
  return { db, transaction, tenantId, validate, known: new WeakMap(), tails: new Map(), workspace: null };
}
