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
/** How often one stage may come back within one gap in the arrangements searched. */
const MAX_REPEAT = 2;

/**
 * The ways to fill the gaps with the fewest earlier stays: each gap a sequence of stages (never
 * one next to itself, nor next to the placed stay on either side), each stage's stays adding up
 * to what its pool holds, each before that stage's latest stay. More stays can always fit too (a
 * deal may go back and forth more often than it must); the importer takes the fewest, and the
 * history is determined when only one arrangement with that many fits and its lengths are forced
 * (its graph of stages and gaps is a forest, each stage once per gap). An arrangement that leaves
 * lengths free counts twice. The search stops at `limit`.
 */
function solve(gaps: readonly Gap[], pool: ReadonlyMap<string, number>, latestStart: ReadonlyMap<string, number>, limit: number): { found: Stay[][]; complete: boolean } {
  const stages = [...pool.keys()];
  if (gaps.length === 0 || stages.length === 0) return { found: gaps.length === 0 && stages.length === 0 ? [[]] : [], complete: true };
  const found: Stay[][] = [];
  const seqs: string[][] = [];
  const allowed = gaps.map((gap) => stages.filter((s) => latestStart.get(s)! >= gap.start + gap.length));
  let steps = 0;
  let size = 0;
  const done = (): boolean => found.length >= limit || steps > MAX_STEPS;
  const choose = (g: number, used: number): void => {
    if (done() || ++steps > MAX_STEPS) return;
    if (g === gaps.length) {
      const fit = used === size ? arrange(gaps, seqs, pool) : null;
      if (fit !== null) for (let k = 0; k < fit.ways && found.length < limit; k++) found.push(fit.stays);
      return;
    }
    const gap = gaps[g]!;
    const seq: string[] = [];
    const extend = (): void => {
      const last = seq[seq.length - 1];
      // Every later gap needs a stay at least.
      if (used + seq.length + (gaps.length - g - 1) > size) return;
      if (last !== undefined && last !== gap.after) {
        seqs[g] = [...seq];
        choose(g + 1, used + seq.length);
      }
      for (const s of allowed[g]!) {
        if (s === (last ?? gap.before) || seq.filter((x) => x === s).length >= MAX_REPEAT) continue;
        seq.push(s);
        extend();
        seq.pop();
        if (done()) return;
      }
    };
    extend();
  };
  // The fewest stays first: each stage has one at least, each gap too.
  const most = stages.length * gaps.length * MAX_REPEAT;
  for (size = Math.max(stages.length, gaps.length); size <= most && found.length === 0 && steps <= MAX_STEPS; size++) choose(0, 0);
  // A search cut short cannot tell one arrangement from several.
  return { found, complete: steps <= MAX_STEPS };
}

/**
 * The lengths of one arrangement, when it fits: every stay at least 1 ms, found as a flow from
 * the stages' pools to the gaps. `ways` is 1 when the lengths are forced, 2 when they are not.
 */
function arrange(gaps: readonly Gap[], seqs: readonly string[][], pool: ReadonlyMap<string, number>): { stays: Stay[]; ways: number } | null {
  const stages = [...pool.keys()];
  const sIndex = new Map(stages.map((s, i) => [s, i]));
  const G = gaps.length;
  const S = stages.length;
  // Pieces per (gap, stage), and what is left of pools and gaps once each piece has its 1 ms.
  const count = Array.from({ length: G }, () => new Array<number>(S).fill(0));
  const supply = stages.map((s) => pool.get(s)!);
  const demand = gaps.map((g) => g.length);
  seqs.forEach((seq, g) => seq.forEach((s) => {
    count[g]![sIndex.get(s)!]!++;
    supply[sIndex.get(s)!]!--;
    demand[g]!--;
  }));
  if (supply.some((x, i) => x < 0 || count.every((row) => row[i] === 0)) || demand.some((x) => x < 0)) return null;
  const flow = maxFlow(supply, demand, count);
  if (flow === null) return null;
  let pairs = 0;
  let repeated = false;
  for (const row of count) for (const c of row) if (c > 0) (pairs++, (repeated ||= c > 1));
  const forced = !repeated && pairs === G + S - components(count);
  const stays: Stay[] = [];
  seqs.forEach((seq, g) => {
    let at = gaps[g]!.start;
    const left = count[g]!.map((c, i) => c + flow[g]![i]!);
    const pieces = [...count[g]!];
    for (const s of seq) {
      const i = sIndex.get(s)!;
      stays.push({ stageId: s, at });
      // Each piece but the stage's last in this gap keeps 1 ms; the last takes the rest.
      const len = --pieces[i]! === 0 ? left[i]! : 1;
      left[i]! -= len;
      at += len;
    }
  });
  return { stays, ways: forced ? 1 : 2 };
}

/** A flow from stages (`supply`) to gaps (`demand`) along the pairs with pieces, meeting both exactly; null when none does. */
function maxFlow(supply: readonly number[], demand: readonly number[], count: readonly (readonly number[])[]): number[][] | null {
  const S = supply.length;
  const G = demand.length;
  const flow = Array.from({ length: G }, () => new Array<number>(S).fill(0));
  const restS = [...supply];
  const restG = [...demand];
  // Augmenting paths source → stage → (gap → stage)* → gap → sink, found breadth first.
  for (;;) {
    const fromS = new Array<number>(S).fill(-2);
    const fromG = new Array<number>(G).fill(-2);
    const queue: number[] = [];
    restS.forEach((r, i) => {
      if (r > 0) (fromS[i] = -1, queue.push(i));
    });
    let end = -1;
    while (queue.length > 0 && end < 0) {
      const s = queue.shift()!;
      for (let g = 0; g < G && end < 0; g++) {
        if (count[g]![s] === 0 || fromG[g] !== -2) continue;
        fromG[g] = s;
        if (restG[g]! > 0) end = g;
        else for (let t = 0; t < S; t++) if (fromS[t] === -2 && flow[g]![t]! > 0) (fromS[t] = g, queue.push(t));
      }
    }
    if (end < 0) break;
    // The bottleneck, then the push along the path.
    let amount = restG[end]!;
    for (let g = end, s = fromG[g]!; ; ) {
      const back = fromS[s]!;
      if (back === -1) {
        amount = Math.min(amount, restS[s]!);
        break;
      }
      amount = Math.min(amount, flow[back]![s]!);
      g = back;
      s = fromG[g]!;
    }
    restG[end]! -= amount;
    for (let g = end, s = fromG[g]!; ; ) {
      flow[g]![s]! += amount;
      const back = fromS[s]!;
      if (back === -1) {
        restS[s]! -= amount;
        break;
      }
      flow[back]![s]! -= amount;
      g = back;
      s = fromG[g]!;
    }
  }
  return restS.every((r) => r === 0) && restG.every((r) => r === 0) ? flow : null;
}

/** Connected components of the stage–gap graph (every node has a pair). */
function components(count: readonly (readonly number[])[]): number {
  const G = count.length;
  const S = count[0]?.length ?? 0;
  const parent = Array.from({ length: G + S }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  let n = G + S;
  count.forEach((row, g) => row.forEach((c, s) => {
    if (c === 0) return;
    const a = find(g);
    const b = find(G + s);
    if (a !== b) (parent[a] = b, n--);
  }));
  return n;
}
