import type { StageVisit, Workspace } from 'sales-pipelines';
import type { PostgresQueryable } from './client.js';
import type { DealRead } from '../storedRows.js';

/** What the repositories of one tenant share. */
export interface Context {
  readonly db: PostgresQueryable;
  readonly tenantId: string;
  readonly validate: boolean;
  /**
   * The deal reads this object handed out (visits frozen), by the first visit of each. A save
   * over the version a deal was read at, whose history still holds those visits at the same
   * places, knows those rows are stored unchanged: it sends only what differs, and the version
   * check in the same statement makes that safe.
   */
  readonly known: WeakMap<StageVisit, DealRead>;
  /** The tails this object handed out, by deal id (at most `TAIL_READS`; see `rememberTail`). */
  readonly tails: Map<string, DealRead>;
  /** The workspace last read through this object (frozen) and the tag of its row, read again only when the tag changed. */
  workspace: { readonly tag: string; readonly ws: Workspace } | null;
}

export function createContext(db: PostgresQueryable, tenantId: string, validate: boolean): Context {
  return { db, tenantId, validate, known: new WeakMap(), tails: new Map(), workspace: null };
}
