import { forecastOf, probabilityOf } from './common.js';
import type { DraftLayout, DraftPipeline, DraftStage, Warnings } from './draft.js';
import { arr, cleanName, id, isObj, obj, optBool, optId, records, type Obj } from './read.js';
import { indexPipelines, type PipelineIndex } from './visitPipelines.js';

// Salesforce's configuration: the OpportunityStage picklist, the sales processes (business
// processes) that are subsets of it, and the record types that name a process.

export const LAYOUT_ID = 'Opportunity';
export const STANDARD_ID = 'Opportunity:standard';

/** What reading opportunities needs from the configuration. */
export interface SalesforceSetup {
  readonly layout: DraftLayout;
  /** Record type id → the process it names (an id, a fullName or a name), null for none. */
  readonly recordTypes: ReadonlyMap<string, string | null>;
  /** A process reference (id, fullName, or name) → the pipeline id of an active process. */
  readonly processes: ReadonlyMap<string, string>;
  readonly hasProcesses: boolean;
  readonly index: PipelineIndex;
}

/** Reads `{ stages, businessProcesses?, recordTypes? }`. */
export function readSalesforceSetup(p: Obj, w: Warnings): SalesforceSetup {
  const stages = readStages(p.stages, w);
  const processes = readProcesses(p.businessProcesses, stages, w);
  const standard: DraftPipeline = {
    id: STANDARD_ID,
    name: 'All stages',
    stages: stages.filter((s) => !s.deleted).map((s) => ({ stageId: s.id })),
    standard: true,
    isDefault: true,
    deleted: false,
    path: 'payload.stages',
  };
  const layout: DraftLayout = { id: LAYOUT_ID, name: 'Opportunities', stages, pipelines: [standard, ...processes.map((x) => x.pipeline)] };
  const refs = new Map<string, string>();
  for (const x of processes) for (const ref of x.refs) if (!refs.has(ref)) refs.set(ref, x.pipeline.id);
  return { layout, recordTypes: readRecordTypes(p.recordTypes), processes: refs, hasProcesses: processes.length > 0, index: indexPipelines(layout.pipelines, STANDARD_ID, (x) => !x.standard) };
}

function readStages(v: unknown, w: Warnings): DraftStage[] {
  const { items, path } = records(v, 'payload.stages', 'records');
  const read = items.map((item, i) => {
    const at = `${path}[${i}]`;
    const s = obj(item, at);
    const stageId = id(s.ApiName ?? s.MasterLabel, `${at}.ApiName`);
    const closed = optBool(s.IsClosed, `${at}.IsClosed`) === true;
    const won = optBool(s.IsWon, `${at}.IsWon`) === true;
    const outcome: DraftStage['outcome'] = closed ? (won ? 'won' : 'lost') : 'open';
    let probability = probabilityOf(s.DefaultProbability, `${at}.DefaultProbability`, w, 100);
    if (probability === null) {
      probability = outcome === 'won' ? 100 : 0;
      w.add('probability_guessed', `${at}.DefaultProbability`, `stage ${stageId} has no DefaultProbability; ${probability} is used`);
    }
    const category = forecastOf(s.ForecastCategoryName ?? s.ForecastCategory, `${at}.ForecastCategoryName`) ?? (outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline');
    const stage: DraftStage = { id: stageId, name: cleanName(s.MasterLabel, stageId), probability, outcome, forecastCategory: category, deleted: optBool(s.IsActive, `${at}.IsActive`) === false, path: at };
    return { stage, order: typeof s.SortOrder === 'number' ? s.SortOrder : Number.MAX_SAFE_INTEGER };
  });
  return read.sort((a, b) => a.order - b.order).map((r) => r.stage);
}

interface Process {
  readonly pipeline: DraftPipeline;
  /** The strings a record type may name it by: its Id, its fullName with and without the object, its Name. */
  readonly refs: readonly string[];
}

/**
 * Sales processes of opportunities. The Tooling API gives `{ Id, Name, TableEnumOrId, Metadata }`;
 * the Metadata API `{ fullName: 'Opportunity.Name', values }`; the Salesforce CLI's source format
 * (`objects/Opportunity/businessProcesses/Name.businessProcess-meta.xml`) `{ fullName: 'Name',
 * values }`, without the object. Such a process is an opportunity process when its values are
 * OpportunityStages; either way its pipeline id is `Opportunity.<Name>`.
 */
function readProcesses(v: unknown, stages: readonly DraftStage[], w: Warnings): Process[] {
  const { items, path } = records(v, 'payload.businessProcesses', 'records');
  const known = new Map(stages.map((s, i) => [s.id, i]));
  const out: Process[] = [];
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const b = obj(item, at);
    const fullName = typeof b.fullName === 'string' ? b.fullName : null;
    const dot = fullName?.indexOf('.') ?? -1;
    const table = b.TableEnumOrId ?? (fullName === null ? 'Opportunity' : dot > 0 ? fullName.slice(0, dot) : null);
    if (table !== null && table !== 'Opportunity') return;
    const meta = isObj(b.Metadata) ? obj(b.Metadata, `${at}.Metadata`) : b;
    const valuesPath = isObj(b.Metadata) ? `${at}.Metadata.values` : `${at}.values`;
    const values = meta.values === undefined || meta.values === null ? [] : arr(meta.values, valuesPath);
    const named = fullName === null ? null : dot > 0 ? fullName.slice(dot + 1) : fullName;
    const processId = b.Id !== undefined && b.Id !== null ? id(b.Id, `${at}.Id`) : id(named === null ? null : `Opportunity.${named}`, `${at}.fullName`);
    const listed = values.map((value, j) => stageOf(value, `${valuesPath}[${j}]`, known));
    if (table === null && values.length > 0 && !listed.some((s) => known.has(s))) {
      w.add('value_dropped', at, `business process ${fullName} lists no OpportunityStage; it is taken to be another object's process and left out`);
      return;
    }
    const ids: string[] = [];
    listed.forEach((stageId, j) => {
      if (known.has(stageId)) ids.push(stageId);
      else w.add('value_dropped', `${valuesPath}[${j}]`, `sales process ${processId} lists ${stageId}, which is not an OpportunityStage; left out`);
    });
    ids.sort((a, c) => known.get(a)! - known.get(c)!);
    const name = cleanName(b.Name ?? named, processId);
    const inactive = optBool(b.IsActive ?? b.isActive, `${at}.IsActive`) === false;
    const refs = [processId, ...(named === null ? [] : [named, `Opportunity.${named}`]), ...(typeof b.Name === 'string' ? [b.Name] : [])];
    out.push({ pipeline: { id: processId, name, stages: ids.map((stageId) => ({ stageId })), standard: false, isDefault: false, deleted: inactive, path: at }, refs });
  });
  return out;
}

/** A process value's stage: its fullName, URL-decoded when the metadata encoded it (`Negotiation%2FReview`). */
function stageOf(value: unknown, path: string, known: ReadonlyMap<string, number>): string {
  const stageId = id(isObj(value) ? value.fullName : value, `${path}${isObj(value) ? '.fullName' : ''}`);
  if (known.has(stageId) || !/%[0-9A-Fa-f]{2}/.test(stageId)) return stageId;
  const decoded = safeDecode(stageId);
  return decoded !== null && known.has(decoded) ? decoded : stageId;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Record types: `{ Id, BusinessProcessId }` from SOQL, or the metadata's
 * `{ fullName, businessProcess }`, which names the process rather than giving its id.
 */
function readRecordTypes(v: unknown): Map<string, string | null> {
  const { items, path } = records(v, 'payload.recordTypes', 'records');
  const out = new Map<string, string | null>();
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const r = obj(item, at);
    const process = optId(r.BusinessProcessId ?? r.businessProcess, `${at}.BusinessProcessId`);
    out.set(id(r.Id ?? r.fullName, `${at}.Id`), process);
  });
  return out;
}
