import { readInstant } from './time.js';
import { looseNumber, type Obj } from './read.js';

// Rebuilds a HubSpot deal's stage history from its stage-calculated properties
// (hs_v2_date_entered_*, hs_v2_date_exited_*, hs_v2_latest_time_in_*, hs_v2_cumulative_time_in_*).
//
// What the properties pin down: the latest completed stay of each stage is
// [exited − latest, exited]; the stay the deal is in now starts at its entry; whatever
// `cumulative − latest` leaves of a stage is time spent in earlier stays, which must fill the
// gaps between the placed stays (and a gap before the first one, back to creation). Which stays
// fill which gaps is searched exhaustively; only when more than one arrangement fits (or none
// does) is the result an approximation.

/** One stage's figures as read from the properties (null where absent or unreadable). */
export interface StageFigures {
  entered: number | null;
  exited: number | null;
  latest: number | null;
  cumulative: number | null;
}

/** The figures of every stage, and the current stay's entry (`hs_v2_date_entered_current_stage`). */
export interface DealFigures {
  readonly stages: Map<string, StageFigures>;
  readonly currentEntered: number | null;
}

/** A rebuilt stay: the stage and its entry instant. */
export interface Stay {
  readonly stageId: string;
  readonly at: number;
}

export interface Rebuilt {
  readonly stays: Stay[];
  /** Null when the properties determine the history; else why it is approximated. */
  readonly doubt: string | null;
}

const PREFIXES: readonly (readonly [string, keyof StageFigures, boolean])[] = [
  ['hs_v2_date_entered_', 'entered', true],
  ['hs_v2_date_exited_', 'exited', true],
  ['hs_v2_latest_time_in_', 'latest', false],
  ['hs_v2_cumulative_time_in_', 'cumulative', false],
  ['hs_date_entered_', 'entered', true],
  ['hs_date_exited_', 'exited', true],
];

/**
 * Reads the stage-calculated properties. The v2 properties win over the legacy `hs_date_*`
 * ones. `bad` is told of each unreadable value (its key), which is then left out.
 */
export function readFigures(props: Obj, bad: (key: string) => void): DealFigures {
  const stages = new Map<string, StageFigures>();
  let currentEntered: number | null = null;
  for (const key in props) {
    if (key.charCodeAt(0) !== 104 || !key.startsWith('hs_')) continue;
    const value = props[key];
    if (value === null || value === undefined || value === '') continue;
    if (key === 'hs_v2_date_entered_current_stage' || key === 'hs_v2_time_in_current_stage') {
      // Despite its name, hs_v2_time_in_current_stage holds the instant the stay began.
      const t = readInstant(value);
      if (t === null) bad(key);
      else if (currentEntered === null || key === 'hs_v2_date_entered_current_stage') currentEntered = t.ms;
      continue;
    }
    for (const [prefix, field, instant] of PREFIXES) {
      if (!key.startsWith(prefix)) continue;
      const stageId = key.slice(prefix.length);
      const n = instant ? (readInstant(value)?.ms ?? null) : durationOf(value);
      if (n === null) {
        bad(key);
        break;
      }
      let f = stages.get(stageId);
      if (!f) stages.set(stageId, (f = { entered: null, exited: null, latest: null, cumulative: null }));
      // The legacy prefixes come last: they only fill what v2 left empty.
      if (f[field] === null) f[field] = n;
      break;
    }
  }
  return { stages, currentEntered };
}

function durationOf(v: unknown): number | null {
  const n = looseNumber(v);
  return typeof n === 'number' && n >= 0 && Number.isSafeInteger(Math.round(n)) ? Math.round(n) : null;
}

interface Placed {
  readonly stageId: string;
  readonly start: number;
  /** Null for the stay the deal is in now. */
  readonly end: number | null;
}

interface Gap {
  readonly start: number;
  readonly length: number;
  readonly before: string | null;
  readonly after: string;
}

/** Rebuilds the stays of a deal now in `currentStage`; `createdAt` bounds the first one. */
export function rebuildStays(figures: DealFigures, currentStage: string): Rebuilt {
  const placed: Placed[] = [];
  const pool = new Map<string, number>();
  const doubts: string[] = [];
  const latestStart = new Map<string, number>();
  for (const [stageId, f] of figures.stages) {
    if (f.exited === null) continue;
    const latest = f.latest ?? (f.entered !== null && f.entered <= f.exited ? f.exited - f.entered : null);
    if (latest === null) {
      doubts.push(`stage ${stageId} has an exit but no length of stay`);
      continue;
    }
    placed.push({ stageId, start: f.exited - latest, end: f.exited });
    latestStart.set(stageId, f.exited - latest);
    const earlier = (f.cumulative ?? latest) - latest;
    if (earlier > 0) pool.set(stageId, earlier);
    else if (earlier < 0) doubts.push(`stage ${stageId}: its cumulative time is less than its latest stay`);
  }
  const open = openStay(figures, currentStage, placed);
  if (open !== null) placed.push(open);
  for (const [stageId, f] of figures.stages) {
    // A stage entered but never left, and not the current one: its end is unknown.
    if (f.exited === null && f.entered !== null && stageId !== currentStage) {
      placed.push({ stageId, start: f.entered, end: f.entered });
      doubts.push(`stage ${stageId} was entered but has no exit`);
    }
  }
  placed.sort((a, b) => a.start - b.start || (a.end ?? Infinity) - (b.end ?? Infinity));
  const gaps = gapsOf(placed, pool, doubts);
  const { found, complete } = gaps === null ? { found: [], complete: true } : solve(gaps, pool, latestStart, 2);
  const fill = found[0] ?? [];
  if (found.length > 1 || !complete) doubts.push('the earlier stays fit the gaps in more than one way');
  else if (gaps !== null && found.length === 0) doubts.push('the earlier stays do not fill the gaps between the latest ones');
  const stays = [...placed.map((p) => ({ stageId: p.stageId, at: p.start })), ...fill].sort((a, b) => a.at - b.at);
  return { stays, doubt: doubts.length === 0 ? null : doubts.join('; ') };
}

/** The stay the deal is in now: from its entry, else from the last exit of any other stage. */
function openStay(figures: DealFigures, current: string, placed: readonly Placed[]): Placed | null {
  const f = figures.stages.get(current);
  const lastExit = placed.reduce<number | null>((m, p) => (p.end !== null && (m === null || p.end > m) ? p.end : m), null);
  let start = f?.entered ?? null;
  if (start !== null && f?.exited != null && start < f.exited) start = null;
  start ??= figures.currentEntered ?? (current === placed.find((p) => p.end === lastExit)?.stageId ? null : lastExit);
  return start === null ? null : { stageId: current, start, end: null };
}

/** The gaps between placed stays, and before the first one what the pool has left; null when stays overlap. */
function gapsOf(placed: readonly Placed[], pool: ReadonlyMap<string, number>, doubts: string[]): Gap[] | null {
  const gaps: Gap[] = [];
  let inner = 0;
  for (let i = 1; i < placed.length; i++) {
    const a = placed[i - 1]!;
    const b = placed[i]!;
    if (a.end === null || a.end > b.start) {
      doubts.push(`the stays in ${a.stageId} and ${b.stageId} overlap`);
      return null;
    }
    if (a.end < b.start) {
      gaps.push({ start: a.end, length: b.start - a.end, before: a.stageId, after: b.stageId });
      inner += b.start - a.end;
    }
  }
  let total = 0;
  for (const r of pool.values()) total += r;
  const first = placed[0];
  if (first && total > inner) gaps.unshift({ start: first.start - (total - inner), length: total - inner, before: null, after: first.stageId });
  return gaps;
}

const MAX_STEPS = 20_000;

/**
 * Every way (up to `limit`) to fill the gaps with earlier stays: each gap a sequence of distinct
 * stages (no stage next to itself), each stage's stays adding up to what its pool holds, each
 * before that stage's latest stay. Only arrangements whose lengths are forced (the graph of
 * stages and gaps is a forest) are counted: any other leaves the lengths free, and its extremes
 * are themselves forced arrangements, so two of those are found instead.
 */
function solve(gaps: readonly Gap[], pool: ReadonlyMap<string, number>, latestStart: ReadonlyMap<string, number>, limit: number): { found: Stay[][]; complete: boolean } {
  const stages = [...pool.keys()];
  if (gaps.length === 0 || stages.length === 0) return { found: gaps.length === 0 && stages.length === 0 ? [[]] : [], complete: true };
  const out: Stay[][] = [];
  const seqs: string[][] = [];
  let steps = 0;
  const choose = (g: number): void => {
    if (out.length >= limit || ++steps > MAX_STEPS) return;
    if (g === gaps.length) {
      const stays = lengths(gaps, seqs, pool);
      if (stays) out.push(stays);
      return;
    }
    const gap = gaps[g]!;
    const allowed = stages.filter((s) => latestStart.get(s)! >= gap.start + gap.length);
    const seq: string[] = [];
    const extend = (): void => {
      if (seq.length > 0 && seq[seq.length - 1] !== gap.after) {
        seqs[g] = [...seq];
        choose(g + 1);
      }
      for (const s of allowed) {
        if (seq.includes(s) || (seq.length === 0 && s === gap.before)) continue;
        seq.push(s);
        extend();
        seq.pop();
        if (out.length >= limit || steps > MAX_STEPS) return;
      }
    };
    extend();
  };
  choose(0);
  // A search cut short cannot tell one arrangement from several.
  return { found: out, complete: steps <= MAX_STEPS };
}

/** The forced lengths of an arrangement (leaves first), or null when not forced, not positive or not adding up. */
function lengths(gaps: readonly Gap[], seqs: readonly string[][], pool: ReadonlyMap<string, number>): Stay[] | null {
  const edges: { g: number; s: string; len: number | null }[] = [];
  const left = new Map<string, number>([...pool].map(([s, r]) => [`s:${s}`, r]));
  const degree = new Map<string, number>();
  gaps.forEach((gap, g) => left.set(`g:${g}`, gap.length));
  seqs.forEach((seq, g) => seq.forEach((s) => edges.push({ g, s, len: null })));
  for (const e of edges) for (const n of [`g:${e.g}`, `s:${e.s}`]) degree.set(n, (degree.get(n) ?? 0) + 1);
  for (const s of pool.keys()) if (!degree.has(`s:${s}`)) return null;
  if (edges.length !== left.size - components(edges)) return null;
  let open = edges.length;
  while (open > 0) {
    const e = edges.find((x) => x.len === null && (degree.get(`g:${x.g}`) === 1 || degree.get(`s:${x.s}`) === 1));
    if (!e) return null;
    const leaf = degree.get(`g:${e.g}`) === 1 ? `g:${e.g}` : `s:${e.s}`;
    const other = leaf === `g:${e.g}` ? `s:${e.s}` : `g:${e.g}`;
    e.len = left.get(leaf)!;
    if (e.len <= 0) return null;
    left.set(leaf, 0);
    left.set(other, left.get(other)! - e.len);
    degree.set(leaf, 0);
    degree.set(other, degree.get(other)! - 1);
    open--;
  }
  for (const r of left.values()) if (r !== 0) return null;
  const stays: Stay[] = [];
  seqs.forEach((seq, g) => {
    let at = gaps[g]!.start;
    for (const s of seq) {
      stays.push({ stageId: s, at });
      at += edges.find((e) => e.g === g && e.s === s)!.len!;
    }
  });
  return stays;
}

/** Connected components of the stage–gap graph, counting only nodes with edges. */
function components(edges: readonly { g: number; s: string }[]): number {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  let count = 0;
  for (const e of edges) {
    for (const n of [`g:${e.g}`, `s:${e.s}`]) if (!parent.has(n)) (parent.set(n, n), count++);
    const a = find(`g:${e.g}`);
    const b = find(`s:${e.s}`);
    if (a !== b) (parent.set(a, b), count--);
  }
  return count;
}
