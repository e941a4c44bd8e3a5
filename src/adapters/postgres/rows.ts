import { PipelineError } from '../../errors.js';
import type { Deal, FieldChange, StageVisit } from '../../model/deal.js';
import type { DealEvent } from '../../deals/events.js';
import type { WorkspaceEvent } from '../../workspace/events.js';
import { sameExceptExit } from '../storedRows.js';
import { storableJson, storableText } from './text.js';

/**
 * A chunk of deals as column arrays, one element per deal (unnest(...) on the server turns them
 * back into rows): one statement saves the whole chunk whatever its size.
 */
export interface DealColumns {
  readonly id: string[];
  readonly layoutId: string[];
  readonly pipelineId: (string | null)[];
  readonly stageId: string[];
  readonly name: string[];
  readonly nameKey: string[];
  readonly amount: (number | null)[];
  readonly currency: (string | null)[];
  readonly probability: number[];
  readonly closingDate: (string | null)[];
  readonly ownerId: (string | null)[];
  readonly lostReason: (string | null)[];
  readonly outcome: string[];
  readonly createdAt: number[];
  readonly updatedAt: number[];
  readonly stageEnteredAt: number[];
  readonly version: number[];
  readonly visitCount: number[];
  readonly changeCount: (number | null)[];
  readonly fields: string[];
}

/** Change-log rows as column arrays (from/to as the JSON text of the value). */
export interface ChangeColumns {
  readonly dealId: string[];
  readonly seq: number[];
  readonly at: number[];
  readonly by: (string | null)[];
  readonly field: string[];
  readonly from: string[];
  readonly to: string[];
}

/** Stage visits as column arrays, one element per visit, in (deal id, seq) order. */
export interface VisitColumns {
  readonly dealId: string[];
  readonly seq: number[];
  readonly layoutId: string[];
  readonly pipelineId: (string | null)[];
  readonly stageId: string[];
  readonly enteredAt: number[];
  readonly exitedAt: (number | null)[];
  readonly amount: (number | null)[];
  readonly probability: number[];
  readonly expectedRevenue: (number | null)[];
  readonly closingDate: (string | null)[];
  readonly forecastCategory: string[];
  readonly outcome: string[];
  readonly by: (string | null)[];
  readonly bypassedRules: boolean[];
}

/** Outbox rows as column arrays, in the order the events happened. */
export interface EventColumns {
  readonly eventId: string[];
  readonly dealId: (string | null)[];
  readonly version: number[];
  readonly body: string[];
}

function emptyDealColumns(): DealColumns {
  return {
    id: [], layoutId: [], pipelineId: [], stageId: [], name: [], nameKey: [], amount: [], currency: [], probability: [], closingDate: [], ownerId: [],
    lostReason: [], outcome: [], createdAt: [], updatedAt: [], stageEnteredAt: [], version: [], visitCount: [], changeCount: [], fields: [],
  };
}

function emptyVisitColumns(): VisitColumns {
  return { dealId: [], seq: [], layoutId: [], pipelineId: [], stageId: [], enteredAt: [], exitedAt: [], amount: [], probability: [], expectedRevenue: [], closingDate: [], forecastCategory: [], outcome: [], by: [], bypassedRules: [] };
}

function pushVisit(cols: VisitColumns, deal: Deal, seq: number, v: StageVisit, path: string): void {
  cols.dealId.push(deal.id);
  cols.seq.push(seq);
  cols.layoutId.push(deal.layoutId);
  cols.pipelineId.push(storableText(v.pipelineId, `${path}.pipelineId`));
  cols.stageId.push(storableText(v.stageId, `${path}.stageId`));
  cols.enteredAt.push(v.enteredAt);
  cols.exitedAt.push(v.exitedAt);
  cols.amount.push(v.amount);
  cols.probability.push(v.probability);
  cols.expectedRevenue.push(v.expectedRevenue);
  cols.closingDate.push(storableText(v.closingDate, `${path}.closingDate`));
  cols.forecastCategory.push(v.forecastCategory);
  cols.outcome.push(v.outcome);
  cols.by.push(storableText(v.by, `${path}.by`));
  cols.bypassedRules.push(v.bypassedRules === true);
}

/** Closed visits as column arrays: only their exited_at changed since they were read. */
export interface ExitColumns {
  readonly dealId: string[];
  readonly seq: number[];
  readonly exitedAt: (number | null)[];
}

/** Deals whose stored visits past their history's length are deleted. */
export interface TrimColumns {
  readonly dealId: string[];
  readonly visitCount: number[];
}

/** Deals saved from a tail whose stored visits before it take the deal's layout. */
export interface RelayoutColumns {
  readonly dealId: string[];
  readonly before: number[];
  readonly layoutId: string[];
}

/** Stored visits from position `from` on: `visits[k]` is the visit at `from + k`. */
export interface StoredVisits {
  readonly from: number;
  readonly visits: readonly StageVisit[];
}

/** One checked change of a save: where the deal's history starts, and what this object knows is stored. */
export interface CheckedChange {
  readonly deal: Deal;
  readonly expectedVersion: number | null;
  /** Its index in the save: `changes[index]`. */
  readonly index: number;
  /** The deal's path in errors: `changes[index].deal`. */
  readonly path: string;
  readonly start: number;
  readonly stored: StoredVisits | null;
}

/** What one save writes, as column arrays. */
export interface SaveColumns {
  /** Deals that exist (updated) and new deals (inserted). */
  readonly updates: DealColumns;
  readonly inserts: DealColumns;
  /** Visit rows written whole (upserted): every visit of a deal not read here, new and changed ones otherwise. */
  readonly visits: VisitColumns;
  readonly exits: ExitColumns;
  readonly trims: TrimColumns;
  readonly relayouts: RelayoutColumns;
  /** Change-log entries past the stored ones, and deals whose stored log is longer than the new one. */
  readonly changes: ChangeColumns;
  readonly changeTrims: TrimColumns;
}

function pushDeal(cols: DealColumns, deal: Deal, visitCount: number, path: string): void {
  const last = deal.history[deal.history.length - 1]!;
  cols.id.push(storableText(deal.id, `${path}.id`));
  cols.layoutId.push(storableText(deal.layoutId, `${path}.layoutId`));
  cols.pipelineId.push(storableText(deal.pipelineId, `${path}.pipelineId`));
  cols.stageId.push(storableText(deal.stageId, `${path}.stageId`));
  cols.name.push(storableText(deal.name, `${path}.name`));
  cols.nameKey.push(deal.name.toLowerCase());
  cols.amount.push(deal.amount);
  cols.currency.push(storableText(deal.currency, `${path}.currency`));
  cols.probability.push(deal.probability);
  cols.closingDate.push(storableText(deal.closingDate, `${path}.closingDate`));
  cols.ownerId.push(storableText(deal.ownerId, `${path}.ownerId`));
  cols.lostReason.push(storableText(deal.lostReason, `${path}.lostReason`));
  cols.outcome.push(last.outcome);
  cols.createdAt.push(deal.createdAt);
  cols.updatedAt.push(deal.updatedAt);
  cols.stageEnteredAt.push(last.enteredAt);
  cols.version.push(deal.version);
  cols.visitCount.push(visitCount);
  cols.changeCount.push(deal.changes === undefined ? null : deal.changes.length);
  cols.fields.push(storableJson(JSON.stringify(deal.fields), `${path}.fields`));
}

function pushChanges(cols: ChangeColumns, deal: Deal, from: number, path: string): void {
  const changes = deal.changes ?? [];
  for (let i = from; i < changes.length; i++) {
    const c: FieldChange = changes[i]!;
    cols.dealId.push(deal.id);
    cols.seq.push(i);
    cols.at.push(c.at);
    cols.by.push(storableText(c.by, `${path}.changes[${i}].by`));
    cols.field.push(c.field);
    cols.from.push(storableJson(JSON.stringify(c.from ?? null), `${path}.changes[${i}].from`));
    cols.to.push(storableJson(JSON.stringify(c.to ?? null), `${path}.changes[${i}].to`));
  }
}

/** What the save's lock read found of a deal: its stored visit and change counts. */
export interface StoredHead {
  readonly version: number;
  readonly visitCount: number;
  readonly changeCount: number | null;
}

/** Saves of up to this many deals write closed visits in the visits' upsert (see {@link saveColumns}). */
const FOLD_EXITS_UP_TO = 16;

/**
 * Splits deals (sorted by id: the order row locks are taken in) into column arrays. For a deal
 * read through these repositories at the version it is saved over (`stored`: its visits as read,
 * same layout), only what differs is sent: new visits, the exited_at of visits that only
 * closed, changed visits whole, and a trim when the history got shorter. The versions were
 * checked under the row locks before, so the stored rows are those visits. Any other deal sends
 * every visit (upserted where it differs) and a trim. The change log is appended: the entries
 * past the stored `change_count` (and a trim when it got shorter).
 *
 * A save of up to {@link FOLD_EXITS_UP_TO} deals sends its closed visits whole with the new ones,
 * so one upsert writes both: a round trip costs more than the conflict path of a few rows. A
 * larger save sends the exits alone, three narrow arrays for one join UPDATE.
 */
export function saveColumns(changes: readonly CheckedChange[], heads: ReadonlyMap<string, StoredHead>): SaveColumns {
  const out: SaveColumns = {
    updates: emptyDealColumns(), inserts: emptyDealColumns(), visits: emptyVisitColumns(), exits: { dealId: [], seq: [], exitedAt: [] },
    trims: { dealId: [], visitCount: [] }, relayouts: { dealId: [], before: [], layoutId: [] },
    changes: { dealId: [], seq: [], at: [], by: [], field: [], from: [], to: [] }, changeTrims: { dealId: [], visitCount: [] },
  };
  const foldExits = changes.length <= FOLD_EXITS_UP_TO;
  for (const change of changes) {
    const { deal, path, start } = change;
    const head = heads.get(deal.id);
    pushDeal(head === undefined ? out.inserts : out.updates, deal, start + deal.history.length, path);
    const storedChanges = head?.changeCount ?? 0;
    const count = deal.changes?.length ?? 0;
    pushChanges(out.changes, deal, Math.min(storedChanges, count), path);
    if (count < storedChanges) {
      out.changeTrims.dealId.push(deal.id);
      out.changeTrims.visitCount.push(count);
    }
    pushVisits(out, change, head !== undefined, foldExits);
  }
  return out;
}

function pushVisits(out: SaveColumns, { deal, path, start, stored }: CheckedChange, exists: boolean, foldExits: boolean): void {
  const history = deal.history;
  if (stored === null) {
    for (let i = 0; i < history.length; i++) pushVisit(out.visits, deal, start + i, history[i]!, `${path}.history[${i}]`);
    if (exists) {
      out.trims.dealId.push(deal.id);
      out.trims.visitCount.push(start + history.length);
    }
    if (start > 0) {
      out.relayouts.dealId.push(deal.id);
      out.relayouts.before.push(start);
      out.relayouts.layoutId.push(deal.layoutId);
    }
    return;
  }
  for (let i = 0; i < history.length; i++) {
    const seq = start + i;
    const v = history[i]!;
    const old = stored.visits[seq - stored.from];
    if (old === v) continue;
    if (old !== undefined && sameExceptExit(old, v)) {
      if (old.exitedAt === v.exitedAt) continue;
      if (foldExits) {
        pushVisit(out.visits, deal, seq, v, `${path}.history[${i}]`);
        continue;
      }
      out.exits.dealId.push(deal.id);
      out.exits.seq.push(seq);
      out.exits.exitedAt.push(v.exitedAt);
    } else pushVisit(out.visits, deal, seq, v, `${path}.history[${i}]`);
  }
  if (start + history.length < stored.from + stored.visits.length) {
    out.trims.dealId.push(deal.id);
    out.trims.visitCount.push(start + history.length);
  }
}

/** Events as outbox columns; deal events carry their deal's id, workspace events none. */
export function eventColumns(events: readonly (DealEvent | WorkspaceEvent)[], path: string): EventColumns {
  const cols: EventColumns = { eventId: [], dealId: [], version: [], body: [] };
  events.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || !Number.isInteger(e.version)) {
      throw new PipelineError('invalid_input', `${path}[${i}]: expected an event with an id and an integer version`, { path: `${path}[${i}]` });
    }
    const dealId = 'dealId' in e && typeof e.dealId === 'string' ? e.dealId : null;
    cols.eventId.push(storableText(e.id, `${path}[${i}].id`));
    cols.dealId.push(dealId === null ? null : storableText(dealId, `${path}[${i}].dealId`));
    cols.version.push(e.version);
    cols.body.push(storableJson(JSON.stringify(e), `${path}[${i}]`));
  });
  return cols;
}
