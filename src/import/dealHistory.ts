import type { Deal, FieldChange, StageVisit, TrackedField } from '../model/deal.js';
import type { StageDef } from '../model/stage.js';
import type { DraftDeal, DraftVisit, Point, Warnings } from './draft.js';

type Value = number | string | null;

/**
 * Builds one deal from its draft.
 *
 * - Visits are ordered by time (ties keep the vendor's order); a row naming the stage the deal is
 *   already in adds no visit (rows written for amount or date changes only). When the history
 *   does not end where the deal is, a last move at the deal's last update is assumed.
 * - `createdAt` is the first visit's `enteredAt`.
 * - Amount, closing date and probability become change logs (`deal.changes`); each visit keeps
 *   the values in effect when it began. The probability follows the stage on each move unless
 *   the vendor recorded another one.
 * - `version` counts the distinct instants at which the deal changed (creation, later moves,
 *   logged changes): one accepted command per instant.
 */
export function buildDeal(d: DraftDeal, defs: ReadonlyMap<string, StageDef>, slots: ReadonlyMap<string, ReadonlyMap<string, { readonly probability?: number }>>, warnings: Warnings): Deal {
  const visits = orderedVisits(d, warnings);
  const createdAt = visits[0]!.at;
  const lastVisitAt = visits[visits.length - 1]!.at;
  const latest = Math.max(lastVisitAt, d.updatedAt ?? lastVisitAt);
  const stageProbability = (v: DraftVisit): number => {
    const slot = v.pipelineId === null ? undefined : slots.get(v.pipelineId)?.get(v.stageId);
    return slot?.probability ?? defs.get(v.stageId)?.probability ?? 0;
  };
  const amount = track('amount', d.amounts, createdAt, d.amount, latest, d, warnings);
  const closingDate = track('closingDate', d.closingDates, createdAt, d.closingDate, latest, d, warnings);
  const stagePoints: Point<number>[] = visits.map((v) => ({ at: v.at, by: v.by, to: v.probability ?? stageProbability(v) }));
  const probabilityPoints = d.probabilities.length === 0 ? stagePoints : merged(stagePoints, d.probabilities);
  let lastProbability = 0;
  for (let i = probabilityPoints.length - 1; i >= 0; i--) {
    if (probabilityPoints[i]!.at > latest) continue;
    lastProbability = probabilityPoints[i]!.to;
    break;
  }
  const probability = track('probability', probabilityPoints, createdAt, d.probability ?? lastProbability, latest, d, warnings);
  const history: StageVisit[] = visits.map((v, i) => {
    const def = defs.get(v.stageId);
    const a = amount.at(v.at) as number | null;
    const p = probability.at(v.at) as number;
    return {
      pipelineId: v.pipelineId,
      stageId: v.stageId,
      enteredAt: v.at,
      exitedAt: visits[i + 1]?.at ?? null,
      amount: a,
      probability: p,
      expectedRevenue: a === null ? null : (a * p) / 100,
      closingDate: closingDate.at(v.at) as string | null,
      forecastCategory: def?.forecastCategory ?? 'pipeline',
      outcome: def?.outcome ?? 'open',
      by: v.by,
      bypassedRules: false,
    };
  });
  const changes = [...amount.changes, ...closingDate.changes, ...probability.changes].sort((a, b) => a.at - b.at);
  const instants = new Set<number>();
  for (const v of visits) instants.add(v.at);
  for (const c of changes) instants.add(c.at);
  const lost = defs.get(d.stageId)?.outcome === 'lost';
  if (d.lostReason !== null && !lost) warnings.add('value_dropped', d.path, `deal ${d.id} has a lost reason but is not in a lost stage; the reason is left out`);
  return {
    id: d.id,
    layoutId: d.layoutId,
    pipelineId: d.pipelineId,
    stageId: d.stageId,
    name: d.name,
    amount: d.amount,
    currency: d.currency,
    probability: probability.current as number,
    closingDate: d.closingDate,
    ownerId: d.ownerId,
    lostReason: lost ? d.lostReason : null,
    fields: d.fields,
    createdAt,
    updatedAt: Math.max(latest, changes[changes.length - 1]?.at ?? latest),
    version: instants.size,
    history,
    changes,
  };
}

/**
 * Two point lists as one in time order, `a`'s before `b`'s at equal instants (a stable sort of
 * their concatenation); merged in one pass when both are in order already, as vendors list them.
 */
function merged<V>(a: readonly Point<V>[], b: readonly Point<V>[]): Point<V>[] {
  if (byTime(a) !== a || byTime(b) !== b) return [...a, ...b].sort((x, y) => x.at - y.at);
  const out: Point<V>[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) out[k] = j >= b.length || (i < a.length && a[i]!.at <= b[j]!.at) ? a[i++]! : b[j++]!;
  return out;
}

/** Items in time order, ties in their given order (most vendors list them in order already). */
function byTime<T extends { readonly at: number }>(items: readonly T[]): readonly T[] {
  let ordered = true;
  for (let i = 1; i < items.length && ordered; i++) ordered = items[i - 1]!.at <= items[i]!.at;
  if (ordered) return items;
  return items.map((v, i) => [v, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map(([v]) => v);
}

function orderedVisits(d: DraftDeal, warnings: Warnings): DraftVisit[] {
  const sorted = byTime(d.visits);
  const out: DraftVisit[] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && last.stageId === v.stageId && last.pipelineId === v.pipelineId) continue;
    out.push(v);
  }
  const last = out[out.length - 1];
  if (!last) {
    const at = d.createdAt ?? d.updatedAt ?? 0;
    warnings.add('history_missing', d.path, `deal ${d.id} has no stage history; it is taken to be in its current stage since ${new Date(at).toISOString()}`);
    return [{ pipelineId: d.pipelineId, stageId: d.stageId, at, by: null }];
  }
  if (last.stageId !== d.stageId || last.pipelineId !== d.pipelineId) {
    const at = Math.max(last.at, d.updatedAt ?? last.at);
    warnings.add('history_completed', d.path, `the history of deal ${d.id} ends in ${last.pipelineId ?? '-'}/${last.stageId}, but the deal is in ${d.pipelineId ?? '-'}/${d.stageId}; a move at ${new Date(at).toISOString()} is assumed`);
    out.push({ pipelineId: d.pipelineId, stageId: d.stageId, at, by: null });
  }
  return out;
}

interface Tracked {
  readonly changes: FieldChange[];
  readonly current: Value;
  /** The value in effect at `t` (a change at `t` included). */
  at(t: number): Value;
}

/**
 * The change log of one field from the values the vendor reported. Values reported at or before
 * creation give the initial value; without any, the value before the first change is that
 * change's `from`, else null. No report at all: the current value throughout.
 */
function track<V extends Value>(field: TrackedField, points: readonly Point<V>[], createdAt: number, current: V, latest: number, d: DraftDeal, warnings: Warnings): Tracked {
  const sorted = byTime(points);
  if (sorted.length === 0) return { changes: [], current, at: () => current };
  const early = sorted.filter((p) => p.at <= createdAt);
  const later = sorted.filter((p) => p.at > createdAt);
  let running: Value = early.length > 0 ? early[early.length - 1]!.to : (later[0]!.from ?? null);
  // The value in force from each instant on, as two parallel lists (read once per visit).
  const times: number[] = [createdAt];
  const values: Value[] = [running];
  const changes: FieldChange[] = [];
  const push = (at: number, by: string | null, to: Value): void => {
    if (to === running) return;
    changes.push({ at, by, field, from: running, to });
    times.push(at);
    values.push(to);
    running = to;
  };
  for (const p of later) push(p.at, p.by, p.to);
  if (running !== current) {
    warnings.add('value_without_history', d.path, `deal ${d.id}: ${field} is ${String(current)} but its history ends at ${String(running)}; the change is logged at the last update`);
    const when = Math.max(latest, changes[changes.length - 1]?.at ?? latest);
    const last = changes[changes.length - 1];
    if (last && last.at === when) {
      // One change at that instant, from the value before it to the deal's.
      changes.pop();
      times.pop();
      values.pop();
      running = last.from;
      if (current !== running) push(when, last.by, current);
    } else push(when, null, current);
  }
  return {
    changes,
    current,
    at(t) {
      let k = 0;
      while (k + 1 < times.length && times[k + 1]! <= t) k++;
      return values[k]!;
    },
  };
}
