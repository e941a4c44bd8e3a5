import type { StageVisit, Workspace } from 'sales-pipelines';
import type { PostgresQueryable } from './client.js';

/** One read of a deal: its id, the version and layout read, and its visits as stored at that version. */
export interface DealRead {
  readonly id: string;
  readonly version: number;
  readonly layoutId: string;
  readonly visits: readonly StageVisit[];
}

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
  /** The workspace last read through this object (frozen) and the tag of its row, read again only when the tag changed. */
  workspace: { readonly tag: string; readonly ws: Workspace } | null;
}

export function createContext(db: PostgresQueryable, tenantId: string, validate: boolean): Context {
  return { db, tenantId, validate, known: new WeakMap(), workspace: null };
}

/** Freezes a deal's visits and remembers them as stored at the deal's version. */
export function remember(ctx: Context, id: string, version: number, layoutId: string, history: readonly StageVisit[]): void {
  for (let i = 0; i < history.length; i++) Object.freeze(history[i]);
  if (history.length > 0) ctx.known.set(history[0]!, { id, version, layoutId, visits: history.slice() });
}

/** The visits this object handed out with a deal whose history starts with `first`, if it read that deal. */
export function readOf(ctx: Context, id: unknown, first: unknown): DealRead | undefined {
  if (typeof first !== 'object' || first === null) return undefined;
  const read = ctx.known.get(first as StageVisit);
  return read && read.id === id ? read : undefined;
}
