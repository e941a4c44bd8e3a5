import { Assembly } from './assemble.js';
import { guarded, probabilityOf } from './common.js';
import { Warnings, type DraftLayout, type DraftPipeline, type DraftStage } from './draft.js';
import { compareFigures, readDeal, type HubLayout } from './hubspotDeal.js';
import { pageImporter, recordReader, streamPages, type Importer, type Pages } from './stream.js';
import { arr, cleanName, id, isObj, obj, optBool, records, refuse } from './read.js';
import type { ImportBatch, ImportResult } from './types.js';

/**
 * The responses a host fetched from HubSpot (pages concatenated): `GET /crm/v3/pipelines/deals`
 * and `GET /crm/v3/objects/deals` (or the batch read) with `propertiesWithHistory=dealstage,
 * pipeline,amount,closedate`, or with the `hs_v2_date_entered_<stageId>` /
 * `hs_v2_date_exited_<stageId>` properties.
 *
 * @example
 * ```ts
 * const payload: HubSpotPayload = { pipelines: { results: [] }, deals: [] };
 * ```
 * @category Importers
 */
export interface HubSpotPayload {
  readonly pipelines: unknown;
  readonly deals: unknown;
}

/**
 * HubSpot has no layouts: every pipeline belongs to this one.
 *
 * @example
 * ```ts
 * fromHubSpot(payload).workspace.layouts[0].id === HUBSPOT_LAYOUT_ID; // true
 * ```
 * @category Importers
 */
export const HUBSPOT_LAYOUT_ID = 'deals';

/**
 * Imports HubSpot deal pipelines and deals.
 *
 * Which field of a record becomes which deal field: {@link HUBSPOT_DEAL_FIELDS}, the table the
 * importer reads records through. How stages, pipelines, history, time zones and warnings are
 * read is told once, in the [importers guide](../../docs/importers.md) (section HubSpot).
 *
 * @param payload - `{ pipelines, deals }`: the bodies as returned, `{ results }` or bare arrays
 * @param options - `{ defaultCurrency? }`, see {@link HubSpotOptions}
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals, warnings } = fromHubSpot({ pipelines: pipelinesBody, deals: dealsBody.results }, { defaultCurrency: 'EUR' });
 * dwellStats(deals, { now: Date.now(), pipelineId: 'default' });
 * ```
 * @category Importers
 */
export function fromHubSpot(payload: HubSpotPayload, options?: HubSpotOptions): ImportResult {
  return guarded(() => {
    const p = obj(payload, 'payload');
    const run = hubSpotImporter(p.pipelines, options, { pipelines: 'payload.pipelines', options: 'options' });
    const batch = run.page(p.deals, 'payload.deals');
    const last = run.finish();
    return { workspace: last.workspace, deals: batch.deals, warnings: [...batch.warnings, ...last.warnings] };
  });
}

/**
 * The options of {@link fromHubSpot} and {@link streamHubSpot}.
 *
 * @example
 * ```ts
 * const options: HubSpotOptions = { defaultCurrency: 'EUR' };
 * ```
 * @category Importers
 */
export interface HubSpotOptions {
  /**
   * The portal's company currency: HubSpot leaves `deal_currency_code` empty on deals in it
   * (single-currency portals, or deals created before multi-currency was switched on).
   */
  readonly defaultCurrency?: string;
}

/**
 * The configuration part of a HubSpot payload, for {@link streamHubSpot}: the pipelines
 * response, and the options.
 *
 * @example
 * ```ts
 * const setup: HubSpotSetup = { pipelines: { results: [] }, options: { defaultCurrency: 'USD' } };
 * ```
 * @category Importers
 */
export interface HubSpotSetup {
  readonly pipelines: unknown;
  readonly options?: HubSpotOptions;
}

/**
 * Imports HubSpot deals page by page, as they are fetched: memory is bounded by a page (and the
 * ids of the deals seen, to leave out a deal listed twice). Each page is a deals response
 * (`{ results }`, `{ deals }` of the legacy v1 list, or a bare array); each yields a batch with
 * that page's deals and warnings and the workspace they need. A last batch without deals holds
 * the final workspace and the warnings only the whole import can tell. Concatenated, the batches
 * give what {@link fromHubSpot} gives on the pages put together (warning paths name the page:
 * `pages[2].results[7]`).
 *
 * @param setup - `{ pipelines, options? }`: the pipelines response and the options of {@link fromHubSpot}
 * @param pages - the deals pages, as an iterable or an async iterable (such as an async generator fetching them)
 * @returns the batches
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read (thrown by the generator)
 * @example
 * ```ts
 * async function* pages() {
 *   for (let after: string | undefined; ; ) {
 *     const body = await hubspot.get('/crm/v3/objects/deals', { after, propertiesWithHistory: 'dealstage,pipeline' });
 *     yield body;
 *     if (!(after = body.paging?.next?.after)) return;
 *   }
 * }
 * for await (const { deals, warnings } of streamHubSpot({ pipelines: pipelinesBody }, pages())) await store(deals, warnings);
 * ```
 * @category Importers
 */
export function streamHubSpot(setup: HubSpotSetup, pages: Pages): AsyncGenerator<ImportBatch> {
  return streamPages(() => {
    const s = obj(setup, 'setup');
    return hubSpotImporter(s.pipelines, s.options, { pipelines: 'setup.pipelines', options: 'setup.options' });
  }, pages);
}

/** An import of HubSpot deals in progress: one page at a time, then the end. */
function hubSpotImporter(pipelines: unknown, options: unknown, paths: { pipelines: string; options: string }): Importer {
  const { defaultCurrency } = importOptions(options, paths.options);
  const w = new Warnings();
  const layout = readPipelines(pipelines, paths.pipelines, w);
  const list = (body: unknown, path: string) => records(body, path, isObj(body) && body.results === undefined && Array.isArray(body.deals) ? 'deals' : 'results');
  const read = (item: unknown, path: string) => readDeal(item, path, layout, w, defaultCurrency);
  return pageImporter(new Assembly([layout.draft], w), w, recordReader(list, read), (deal, r) => compareFigures(deal, r, w));
}

/** The options, checked: only `defaultCurrency`, a 3-letter code. */
function importOptions(v: unknown, path: string): { defaultCurrency: string | null } {
  if (v === undefined || v === null) return { defaultCurrency: null };
  const o = obj(v, path);
  for (const key of Object.keys(o)) if (key !== 'defaultCurrency') refuse(`${path}.${key}`, 'unknown option');
  const c = o.defaultCurrency;
  if (c === undefined) return { defaultCurrency: null };
  if (typeof c !== 'string' || !/^[A-Z]{3}$/.test(c)) refuse(`${path}.defaultCurrency`, 'expected a 3-letter currency code such as "EUR"');
  return { defaultCurrency: c };
}

interface HubPipelines extends HubLayout {
  readonly draft: DraftLayout;
}

function readPipelines(v: unknown, at: string, w: Warnings): HubPipelines {
  const { items, path } = records(v, at, 'results');
  const read = items.map((item, i) => readPipeline(item, `${path}[${i}]`, w));
  read.sort((a, b) => a.order - b.order || a.pipeline.name.localeCompare(b.pipeline.name));
  const stages = new Map<string, DraftStage>();
  const owners = new Map<string, string[]>();
  for (const r of read) {
    for (const s of r.stages) {
      if (!stages.has(s.id)) stages.set(s.id, s);
      owners.set(s.id, [...(owners.get(s.id) ?? []), r.pipeline.id]);
    }
  }
  const live = read.filter((r) => !r.pipeline.deleted);
  const standard = live.find((r) => r.pipeline.id === 'default') ?? live[0];
  if (standard && standard.pipeline.id !== 'default') {
    w.add('standard_guessed', standard.pipeline.path, `no pipeline "default"; pipeline ${standard.pipeline.id}, first by displayOrder, is the standard and default pipeline`);
  }
  const pipelines = read.map((r) => (r === standard ? { ...r.pipeline, standard: true, isDefault: true } : r.pipeline));
  return { layoutId: HUBSPOT_LAYOUT_ID, draft: { id: HUBSPOT_LAYOUT_ID, name: 'Deals', stages: [...stages.values()], pipelines }, owners, defaultId: standard?.pipeline.id ?? null };
}

function readPipeline(v: unknown, path: string, w: Warnings): { pipeline: DraftPipeline; stages: DraftStage[]; order: number } {
  const p = obj(v, path);
  const pipelineId = id(p.id ?? p.pipelineId, `${path}.id`);
  const archived = optBool(p.archived, `${path}.archived`) === true || optBool(p.active, `${path}.active`) === false;
  const list = arr(p.stages, `${path}.stages`).map((s, i) => readStage(s, `${path}.stages[${i}]`, w));
  list.sort((a, b) => a.order - b.order || a.stage.name.localeCompare(b.stage.name));
  const stages = list.map((s) => s.stage);
  const pipeline: DraftPipeline = {
    id: pipelineId,
    name: cleanName(p.label, pipelineId),
    stages: stages.filter((s) => !s.deleted).map((s) => ({ stageId: s.id, probability: s.probability })),
    standard: false,
    isDefault: false,
    deleted: archived,
    path,
  };
  return { pipeline, stages, order: typeof p.displayOrder === 'number' ? p.displayOrder : Number.MAX_SAFE_INTEGER };
}

function readStage(v: unknown, path: string, w: Warnings): { stage: DraftStage; order: number } {
  const s = obj(v, path);
  const stageId = id(s.id ?? s.stageId, `${path}.id`);
  const meta = s.metadata === undefined || s.metadata === null ? {} : obj(s.metadata, `${path}.metadata`);
  // Legacy v1 stages say `closedWon` instead of `metadata.isClosed`.
  const legacyWon = optBool(s.closedWon, `${path}.closedWon`) === true;
  const closed = legacyWon || optBool(meta.isClosed, `${path}.metadata.isClosed`) === true;
  let probability = probabilityOf(meta.probability ?? s.probability, `${path}.metadata.probability`, w, 1);
  if (probability === null) {
    probability = legacyWon ? 100 : 0;
    w.add('probability_guessed', `${path}.metadata.probability`, `stage ${stageId} has no probability; ${probability} is used`);
  }
  let outcome: DraftStage['outcome'] = 'open';
  if (closed) {
    outcome = probability === 100 ? 'won' : 'lost';
    if (probability !== 100 && probability !== 0) w.add('outcome_guessed', path, `closed stage ${stageId} has probability ${probability}%; taken as lost`);
  }
  const archived = optBool(s.archived, `${path}.archived`) === true || optBool(s.active, `${path}.active`) === false;
  return {
    stage: {
      id: stageId,
      name: cleanName(s.label, stageId),
      probability,
      outcome,
      forecastCategory: outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline',
      deleted: archived,
      path,
    },
    order: typeof s.displayOrder === 'number' ? s.displayOrder : Number.MAX_SAFE_INTEGER,
  };
}
