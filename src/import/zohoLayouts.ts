import { cleanName, arr, id, isObj, keyed, looseNumber, obj, optBool, records, type Obj } from './read.js';
import { forecastOf, probabilityOf } from './common.js';
import { fieldValue, ZOHO_DEAL_FIELDS as F } from './dealFields.js';
import type { DraftLayout, DraftPipeline, DraftStage, Warnings } from './draft.js';
import { readInstant } from './time.js';

// Zoho's layouts and pipelines: the Stage picklist of each layout and its ordered subsets.

export function readProbabilities(v: unknown): Map<string, unknown> {
  const o = keyed(v, 'payload.stageProbabilities');
  return new Map(Object.entries(o));
}

interface ZohoMap {
  readonly id: string;
  readonly names: string[];
  readonly name: string;
  readonly sequence: number;
  readonly forecastType: unknown;
  readonly forecastCategory: unknown;
  readonly path: string;
}

interface ZohoPipeline {
  readonly id: string;
  readonly name: string;
  readonly names: string[];
  readonly isDefault: boolean;
  readonly maps: ZohoMap[];
  readonly path: string;
}

export interface ZohoLayout {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly pipelines: ZohoPipeline[];
}

export function readLayouts(p: Obj, w: Warnings): ZohoLayout[] {
  const { items, path } = records(p.layouts, 'payload.layouts', 'layouts');
  const bodies = keyed(p.pipelines, 'payload.pipelines');
  return items.map((item, i) => {
    const l = obj(item, `${path}[${i}]`);
    const layoutId = id(l.id, `${path}[${i}].id`);
    const body = Object.hasOwn(bodies, layoutId) ? bodies[layoutId] : null;
    const list = records(body, `payload.pipelines.${layoutId}`, 'pipeline');
    const pipelines = list.items.map((x, j) => readPipeline(x, `${list.path}[${j}]`, w));
    return { id: layoutId, path: `${path}[${i}]`, name: cleanName(l.name ?? l.display_label, layoutId), pipelines };
  });
}

function readPipeline(v: unknown, path: string, w: Warnings): ZohoPipeline {
  const o = obj(v, path);
  const pipelineId = id(o.id, `${path}.id`);
  const maps = arr(o.maps ?? [], `${path}.maps`).map((m, i): ZohoMap => {
    const at = `${path}.maps[${i}]`;
    const s = obj(m, at);
    const stageId = id(s.id, `${at}.id`);
    const names = [s.actual_value, s.display_value].filter((x): x is string => typeof x === 'string' && x.length > 0);
    const seq = looseNumber(s.sequence_number);
    return {
      id: stageId,
      names,
      name: cleanName(s.display_value ?? s.actual_value, stageId),
      sequence: typeof seq === 'number' ? seq : Number.MAX_SAFE_INTEGER,
      forecastType: s.forecast_type,
      forecastCategory: isObj(s.forecast_category) ? s.forecast_category.name : s.forecast_category,
      path: at,
    };
  });
  maps.sort((a, b) => a.sequence - b.sequence);
  if (maps.length === 0) w.add('value_dropped', `${path}.maps`, `pipeline ${pipelineId} has no stages`);
  const names = [o.actual_value, o.display_value].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return { id: pipelineId, name: cleanName(o.display_value ?? o.actual_value, pipelineId), names, isDefault: optBool(o.default, `${path}.default`) === true, maps, path };
}

const isStandardName = (p: ZohoPipeline): boolean => p.names.some((n) => /^standard\b/i.test(n.trim()));

function outcomeOf(m: ZohoMap, w: Warnings): DraftStage['outcome'] {
  const t = typeof m.forecastType === 'string' ? m.forecastType.toLowerCase().replace(/\s+/g, ' ').trim() : '';
  if (t === 'open') return 'open';
  if (t === 'closed won') return 'won';
  if (t === 'closed lost') return 'lost';
  const guess = nameOutcome(m.name);
  w.add('outcome_guessed', `${m.path}.forecast_type`, `stage ${m.id} has forecast_type ${JSON.stringify(m.forecastType) ?? 'undefined'}; taken as ${guess} from its name`);
  return guess;
}

function nameOutcome(name: string): DraftStage['outcome'] {
  if (/closed[\s-]*won/i.test(name)) return 'won';
  if (/closed[\s-]*lost/i.test(name)) return 'lost';
  return 'open';
}

export interface DealRows {
  readonly d: Obj;
  readonly path: string;
  readonly rows: { row: Obj; path: string }[];
}

/** The layout's picklist and pipelines; `stageIds` maps a stage name to its id. */
export function layoutDraft(layout: ZohoLayout, deals: readonly DealRows[], probabilities: ReadonlyMap<string, unknown>, w: Warnings): { layout: DraftLayout; stageIds: Map<string, string> } {
  const standard = layout.pipelines.find(isStandardName) ?? [...layout.pipelines].sort((a, b) => b.maps.length - a.maps.length || Number(b.isDefault) - Number(a.isDefault))[0];
  if (standard && !isStandardName(standard)) w.add('standard_guessed', standard.path, `no pipeline is named Standard; pipeline ${standard.id}, with the most stages, is the standard pipeline`);
  const ordered = standard ? [standard, ...layout.pipelines.filter((p) => p !== standard)] : [];
  const maps = new Map<string, ZohoMap>();
  for (const p of ordered) for (const m of p.maps) if (!maps.has(m.id)) maps.set(m.id, m);
  const stageIds = new Map<string, string>();
  for (const m of maps.values()) for (const n of m.names) if (!stageIds.has(n)) stageIds.set(n, m.id);
  const used = layout.pipelines.length === 0 ? namesInUse(deals) : [];
  // No pipelines: the picklist is what the deals and their history name.
  for (const n of used) stageIds.set(n, id(n, `${layout.path}: stage ${n.slice(0, 40)}`));
  // Counted only when a stage lacks a given probability: it reads every deal and history row.
  let counted: Map<string, number> | null = null;
  const reported = (): ReadonlyMap<string, number> => (counted ??= reportedProbabilities(deals, stageIds));
  const stages: DraftStage[] = [...maps.values()].map((m) => {
    const outcome = outcomeOf(m, w);
    return stageOf(m.id, m.name, m.names, outcome, forecastOf(m.forecastCategory, `${m.path}.forecast_category`), probabilities, reported, m.path, w);
  });
  for (const n of used) {
    const outcome = nameOutcome(n);
    if (outcome !== 'open') w.add('outcome_guessed', layout.path, `stage ${n} of a layout without pipelines is taken as ${outcome} from its name`);
    stages.push(stageOf(n, cleanName(n, n), [n], outcome, null, probabilities, reported, layout.path, w));
  }
  const pipelines: DraftPipeline[] = layout.pipelines.map((p) => ({
    id: p.id,
    name: p.name,
    stages: p.maps.map((m) => ({ stageId: m.id })),
    standard: p === standard,
    isDefault: p.isDefault,
    deleted: false,
    path: p.path,
  }));
  return { layout: { id: layout.id, name: layout.name, stages, pipelines }, stageIds };
}

/** The stage names deals and history use, in order of first use (the way deals move). */
function namesInUse(deals: readonly DealRows[]): string[] {
  const first = new Map<string, number>();
  const see = (name: unknown, t: unknown): void => {
    if (typeof name !== 'string' || isEmptyStage(name)) return;
    const ms = readInstant(t)?.ms ?? Number.MAX_SAFE_INTEGER;
    first.set(name, Math.min(first.get(name) ?? ms, ms));
  };
  for (const r of deals) {
    see(fieldValue(r.d, F.stageId), fieldValue(r.d, F.updatedAt));
    for (const h of r.rows) see(h.row.Stage, h.row.Modified_Time ?? h.row.Last_Modified_Time);
  }
  return [...first].sort((a, b) => a[1] - b[1]).map(([n]) => n);
}

function stageOf(
  stageId: string, name: string, names: readonly string[], outcome: DraftStage['outcome'], category: DraftStage['forecastCategory'] | null,
  probabilities: ReadonlyMap<string, unknown>, reported: () => ReadonlyMap<string, number>, path: string, w: Warnings,
): DraftStage {
  const given = names.map((n) => probabilities.get(n)).find((x) => x !== undefined);
  let probability = given === undefined ? null : probabilityOf(given, `payload.stageProbabilities.${names[0] ?? stageId}`, w, 100);
  if (probability === null) {
    probability = outcome === 'won' ? 100 : outcome === 'lost' ? 0 : (reported().get(stageId) ?? 0);
    w.add('probability_guessed', path, `no probability for stage ${name} in stageProbabilities; ${probability} is used`);
  }
  return { id: stageId, name, probability, outcome, forecastCategory: category ?? (outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline'), deleted: false, path };
}

/** The probability most often reported by deals and history rows in each stage. */
function reportedProbabilities(deals: readonly DealRows[], stageIds: ReadonlyMap<string, string>): Map<string, number> {
  const counts = new Map<string, Map<number, number>>();
  const see = (stage: unknown, p: unknown): void => {
    const n = looseNumber(p);
    const stageId = typeof stage === 'string' ? stageIds.get(stage) : undefined;
    if (stageId === undefined || typeof n !== 'number' || n < 0 || n > 100) return;
    const c = counts.get(stageId) ?? new Map<number, number>();
    c.set(n, (c.get(n) ?? 0) + 1);
    counts.set(stageId, c);
  };
  for (const r of deals) {
    see(fieldValue(r.d, F.stageId), fieldValue(r.d, F.probability));
    for (const h of r.rows) see(h.row.Stage, h.row.Probability);
  }
  const out = new Map<string, number>();
  for (const [stageId, c] of counts) out.set(stageId, [...c].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]);
  return out;
}

/** Zoho writes an empty picklist value as "-None-" (and exports show it as None). */
export function isEmptyStage(v: unknown): boolean {
  const name = isObj(v) ? v.name : v;
  if (name === null || name === undefined) return true;
  // A stage name longer than a padded "-None-" is a stage: no pattern to run on every row.
  return typeof name === 'string' && name.length <= 16 && /^\s*(-?none-?)?\s*$/i.test(name);
}
