import { sameData } from '../configuration/sameData.js';
import { dealEventId, type DealChanges, type DealEvent, type DealPosition, type StageChangeReason } from '../deals/events.js';
import type { Deal, FieldChange, StageVisit } from '../model/deal.js';

// How an imported deal meets the stored one. Pure: the caller reads, decides with these and saves.

/** What re-importing a vendor's deal over the stored one does. */
export type Merge =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'updated'; readonly deal: Deal; readonly events: DealEvent[] }
  | { readonly kind: 'conflict'; readonly message: string };

const PROPS = ['name', 'amount', 'currency', 'probability', 'closingDate', 'ownerId', 'lostReason'] as const;

/**
 * The event a created imported deal gets: the `dealCreated` the service emits for a new deal,
 * describing the deal as imported (its current stage, values and version), at its `updatedAt`.
 */
export function createdEvent(deal: Deal, by: string | null): DealEvent {
  const last = deal.history[deal.history.length - 1]!;
  return {
    type: 'dealCreated',
    id: dealEventId(deal.id, deal.version),
    dealId: deal.id,
    at: deal.updatedAt,
    by,
    version: deal.version,
    layoutId: deal.layoutId,
    pipelineId: deal.pipelineId,
    stageId: deal.stageId,
    name: deal.name,
    amount: deal.amount,
    currency: deal.currency,
    probability: deal.probability,
    closingDate: deal.closingDate,
    ownerId: deal.ownerId,
    lostReason: deal.lostReason,
    fields: deal.fields,
    forecastCategory: last.forecastCategory,
    outcome: last.outcome,
    bypassedRules: last.bypassedRules,
  };
}

/**
 * Re-imports `vendor` over `stored`. Unchanged when the vendor's data (position, values, custom
 * fields, creation, visits and change log; not `version` or `updatedAt`, which are bookkeeping)
 * is the stored data. Otherwise the stored history must be where the vendor's starts: every
 * stored visit equal to the vendor's at the same place (the last stored one, still open, may
 * have been closed since) and the stored change log a prefix of the vendor's. Then the vendor's
 * later visits and changes are appended after the stored ones, the values become the vendor's,
 * and the deal gets one new version with events. A vendor that rewrote history already stored,
 * or a deal that changed here since it was imported, is a `conflict`: the stored history is
 * never rewritten.
 */
export function mergeImported(stored: Deal, vendor: Deal, by: string | null): Merge {
  const storedLog = stored.changes ?? [];
  const vendorLog = vendor.changes ?? [];
  if (sameDeal(stored, vendor) && sameData(stored.history, vendor.history) && sameData(storedLog, vendorLog)) return { kind: 'unchanged' };
  const why = divergence(stored, vendor, storedLog, vendorLog);
  if (why !== null) return { kind: 'conflict', message: `deal ${vendor.id}: ${why}; the stored history is kept, re-import refused` };
  const kept = stored.history.length - 1;
  const history: StageVisit[] = stored.history.slice(0, kept);
  for (let i = kept; i < vendor.history.length; i++) history.push(vendor.history[i]!);
  const deal: Deal = {
    ...vendor,
    version: stored.version + 1,
    updatedAt: Math.max(stored.updatedAt, vendor.updatedAt),
    history,
    ...(vendor.changes !== undefined || stored.changes !== undefined ? { changes: [...storedLog, ...vendorLog.slice(storedLog.length)] } : {}),
  };
  return { kind: 'updated', deal, events: updateEvents(stored, deal, by) };
}

function sameDeal(a: Deal, b: Deal): boolean {
  if (a.layoutId !== b.layoutId || a.pipelineId !== b.pipelineId || a.stageId !== b.stageId || a.createdAt !== b.createdAt) return false;
  for (const key of PROPS) if (!sameData(a[key], b[key])) return false;
  return sameData(a.fields, b.fields);
}

/** Why the vendor's deal does not continue the stored one, or null when it does. */
function divergence(stored: Deal, vendor: Deal, storedLog: readonly FieldChange[], vendorLog: readonly FieldChange[]): string | null {
  const s = stored.history;
  const v = vendor.history;
  if (v.length < s.length) return `the store holds ${s.length} visits, the vendor ${v.length}`;
  const last = s.length - 1;
  for (let i = 0; i < last; i++) if (!sameData(s[i], v[i])) return `visit ${i} differs from the stored one`;
  const open = s[last]!;
  if (!sameData({ ...open, exitedAt: null }, { ...v[last]!, exitedAt: null })) return `visit ${last} differs from the stored one`;
  if (vendorLog.length < storedLog.length) return `the store holds ${storedLog.length} change-log entries, the vendor ${vendorLog.length}`;
  for (let i = 0; i < storedLog.length; i++) if (!sameData(storedLog[i], vendorLog[i])) return `change-log entry ${i} differs from the stored one`;
  return null;
}

const positionOf = (d: Deal): DealPosition => ({ layoutId: d.layoutId, pipelineId: d.pipelineId, stageId: d.stageId, outcome: d.history[d.history.length - 1]!.outcome });

function reasonFor(from: DealPosition, to: DealPosition): StageChangeReason {
  if (from.outcome === 'open' && to.outcome !== 'open') return 'closeDeal';
  if (from.outcome !== 'open' && to.outcome === 'open') return 'reopenDeal';
  return from.pipelineId === to.pipelineId ? 'moveToStage' : 'moveToPipeline';
}

/**
 * The events of a re-import that changed a deal, at its new version: `dealStageChanged` when new
 * visits arrived (from the stored position to the vendor's, with the probability and lost reason),
 * `dealUpdated` with the other values and custom fields that differ (also when only the change log
 * grew, with nothing listed).
 */
function updateEvents(stored: Deal, deal: Deal, by: string | null): DealEvent[] {
  const meta = (index: number) => ({ id: dealEventId(deal.id, deal.version, index), dealId: deal.id, at: deal.updatedAt, by, version: deal.version });
  const events: DealEvent[] = [];
  const last = deal.history[deal.history.length - 1]!;
  if (!sameData(stored.history, deal.history)) {
    const from = positionOf(stored);
    const to = positionOf(deal);
    events.push({
      type: 'dealStageChanged', ...meta(0), reason: reasonFor(from, to), from, to,
      probability: deal.probability, forecastCategory: last.forecastCategory, lostReason: deal.lostReason, bypassedRules: last.bypassedRules,
    });
  }
  const changes: Record<string, unknown> = {};
  // A stage change carries the probability and lost reason, as the service's own moves do.
  const carried = events.length > 0 ? new Set(['probability', 'lostReason']) : new Set<string>();
  for (const key of PROPS) if (!carried.has(key) && !sameData(stored[key], deal[key])) changes[key] = deal[key];
  const fields: Record<string, Deal['fields'][string]> = {};
  for (const [key, value] of Object.entries(deal.fields)) if (!Object.hasOwn(stored.fields, key) || !sameData(stored.fields[key], value)) fields[key] = value;
  const removeFields = Object.keys(stored.fields).filter((key) => !Object.hasOwn(deal.fields, key));
  if (events.length === 0 || Object.keys(changes).length > 0 || Object.keys(fields).length > 0 || removeFields.length > 0) {
    events.push({ type: 'dealUpdated', ...meta(events.length), changes: changes as DealChanges, fields, removeFields });
  }
  return events;
}
