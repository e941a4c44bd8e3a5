import { Assembly } from './assemble.js';
import { guarded, probabilityOf } from './common.js';
import { Warnings, type DraftPipeline, type DraftStage } from './draft.js';
import { compareStays, PIPEDRIVE_LOST_STAGE, PIPEDRIVE_WON_STAGE, readDeal, type PdLayout } from './pipedriveDeal.js';
import { pageImporter, recordReader, streamPages, type Importer, type Pages } from './stream.js';
import { cleanName, id, keyed, looseNumber, obj, optBool, records, refuse, type Obj } from './read.js';
import type { ImportBatch, ImportResult } from './types.js';

/**
 * The responses a host fetched from Pipedrive (pages concatenated): `GET /api/v2/pipelines`,
 * `GET /api/v2/stages`, `GET /api/v2/deals` (or their v1 forms) and, per deal,
 * `GET /api/v1/deals/{id}/flow`, keyed by deal id. Every body may be `{ data }` or the bare array.
 *
 * @example
 * ```ts
 * const payload: PipedrivePayload = { pipelines: { data: [] }, stages: { data: [] }, deals: { data: [] }, flows: {} };
 * ```
 * @category Importers
 */
export interface PipedrivePayload {
  readonly pipelines: unknown;
  readonly stages: unknown;
  readonly deals: unknown;
  readonly flows?: unknown;
}

/**
 * Pipedrive has no layouts: every pipeline belongs to this one.
 *
 * @example
 * ```ts
 * fromPipedrive(payload).deals.every((d) => d.layoutId === PIPEDRIVE_LAYOUT_ID); // true
 * ```
 * @category Importers
 */
export const PIPEDRIVE_LAYOUT_ID = 'deals';
export { PIPEDRIVE_WON_STAGE, PIPEDRIVE_LOST_STAGE };

/**
 * Imports Pipedrive pipelines, stages, deals and deal flows (v1 or v2 shapes).
 *
 * Which field of a record becomes which deal field: {@link PIPEDRIVE_DEAL_FIELDS}, the table the
 * importer reads records through. How stages, pipelines, history, time zones and warnings are
 * read is told once, in the [importers guide](../../docs/importers.md) (section Pipedrive).
 *
 * @param payload - `{ pipelines, stages, deals, flows }`
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals } = fromPipedrive({ pipelines, stages, deals: dealsBody, flows: { 1: flowBody } });
 * conversionFunnel(workspace, deals, { pipelineId: '1' });
 * ```
 * @category Importers
 */
export function fromPipedrive(payload: PipedrivePayload): ImportResult {
  return guarded(() => {
    const p = obj(payload, 'payload');
    const run = pipedriveImporter(p);
    const batch = run.page({ deals: p.deals, flows: p.flows }, 'payload');
    const last = run.finish();
    return { workspace: last.workspace, deals: batch.deals, warnings: [...batch.warnings, ...last.warnings] };
  });
}

/**
 * The configuration part of a Pipedrive payload, for {@link streamPipedrive}: the pipelines and
 * stages responses.
 *
 * @example
 * ```ts
 * const setup: PipedriveSetup = { pipelines: { data: [] }, stages: { data: [] } };
 * ```
 * @category Importers
 */
export interface PipedriveSetup {
  readonly pipelines: unknown;
  readonly stages: unknown;
}

/**
 * Imports Pipedrive deals page by page, as they are fetched: memory is bounded by a page (and the
 * ids of the deals seen, to leave out a deal listed twice). Each page is `{ deals, flows }`: a
 * deals response (`{ data }` or a bare array) and the flows of those deals keyed by deal id. Each
 * yields a batch with that page's deals and warnings and the workspace they need; a last batch
 * without deals holds the final workspace and the warnings only the whole import can tell.
 * Concatenated, the batches give what {@link fromPipedrive} gives on the pages put together
 * (warning paths name the page: `pages[2].deals.data[7]`).
 *
 * @param setup - `{ pipelines, stages }`, as for {@link fromPipedrive}
 * @param pages - the `{ deals, flows }` pages, as an iterable or an async iterable
 * @returns the batches
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read (thrown by the generator)
 * @example
 * ```ts
 * async function* pages() {
 *   for (let cursor: string | undefined; ; ) {
 *     const deals = await pipedrive.get('/api/v2/deals', { cursor });
 *     const flows = Object.fromEntries(await Promise.all(deals.data.map(async (d) => [d.id, await pipedrive.get(`/api/v1/deals/${d.id}/flow`)])));
 *     yield { deals, flows };
 *     if (!(cursor = deals.additional_data?.next_cursor)) return;
 *   }
 * }
 * for await (const batch of streamPipedrive({ pipelines, stages }, pages())) await store(batch.deals);
 * ```
 * @category Importers
 */
export function streamPipedrive(setup: PipedriveSetup, pages: Pages): AsyncGenerator<ImportBatch> {
  return streamPages(() => pipedriveImporter(obj(setup, 'setup'), 'setup'), pages);
}

/** An import of Pipedrive deals in progress: one `{ deals, flows }` page at a time, then the end. */
function pipedriveImporter(config: Obj, configPath = 'payload'): Importer {
  const w = new Warnings();
  const layout = readConfiguration(config, configPath, w);
  // A page is `{ deals, flows }`: its deals are read, one after the other, with its flows.
  let flows: { readonly of: Obj; readonly path: string } = { of: {}, path: '' };
  const list = (body: unknown, path: string) => {
    const page = obj(body, path);
    flows = { of: keyed(page.flows, `${path}.flows`), path: `${path}.flows` };
    return records(page.deals, `${path}.deals`, 'data');
  };
  const read = (item: unknown, path: string) => readDeal(item, path, layout, flows.of, flows.path, w);
  return pageImporter(new Assembly([layout.draft], w), w, recordReader(list, read), (deal, r) => compareStays(deal, r, w));
}

const deletedFlag = (o: Obj, path: string): boolean =>
  optBool(o.is_deleted, `${path}.is_deleted`) === true || optBool(o.active, `${path}.active`) === false || optBool(o.active_flag, `${path}.active_flag`) === false;

const order = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.MAX_SAFE_INTEGER);

function readConfiguration(p: Obj, at: string, w: Warnings): PdLayout {
  const pl = records(p.pipelines, `${at}.pipelines`, 'data');
  const pipelines = pl.items.map((item, i) => {
    const path = `${pl.path}[${i}]`;
    const o = obj(item, path);
    return { id: id(o.id, `${path}.id`), name: cleanName(o.name, String(o.id)), order: order(o.order_nr), deleted: deletedFlag(o, path), path };
  });
  pipelines.sort((a, b) => a.order - b.order);
  const st = records(p.stages, `${at}.stages`, 'data');
  const stages = st.items.map((item, i) => readStage(item, `${st.path}[${i}]`, w));
  const rank = new Map(pipelines.map((x, i) => [x.id, i]));
  stages.sort((a, b) => (rank.get(a.pipelineId) ?? 1e9) - (rank.get(b.pipelineId) ?? 1e9) || a.order - b.order);
  const standard = pipelines.find((x) => !x.deleted);
  const drafts: DraftPipeline[] = pipelines.map((x) => ({
    id: x.id,
    name: x.name,
    stages: [...stages.filter((s) => s.pipelineId === x.id && !s.stage.deleted).map((s) => ({ stageId: s.stage.id })), { stageId: PIPEDRIVE_WON_STAGE }, { stageId: PIPEDRIVE_LOST_STAGE }],
    standard: x === standard,
    isDefault: x === standard,
    deleted: x.deleted,
    path: x.path,
  }));
  const closed: DraftStage[] = [
    { id: PIPEDRIVE_WON_STAGE, name: 'Won', probability: 100, outcome: 'won', forecastCategory: 'closed', deleted: false, path: 'payload.deals' },
    { id: PIPEDRIVE_LOST_STAGE, name: 'Lost', probability: 0, outcome: 'lost', forecastCategory: 'omitted', deleted: false, path: 'payload.deals' },
  ];
  const names = new Map<string, string>();
  return {
    layoutId: PIPEDRIVE_LAYOUT_ID,
    draft: { id: PIPEDRIVE_LAYOUT_ID, name: 'Deals', stages: [...stages.map((s) => s.stage), ...closed], pipelines: drafts, stageNames: names },
    stagePipeline: new Map(stages.map((s) => [s.stage.id, s.pipelineId])),
    names,
  };
}

function readStage(item: unknown, path: string, w: Warnings): { stage: DraftStage; pipelineId: string; order: number } {
  const o = obj(item, path);
  const stageId = id(o.id, `${path}.id`);
  if (stageId === PIPEDRIVE_WON_STAGE || stageId === PIPEDRIVE_LOST_STAGE) refuse(`${path}.id`, 'the ids "won" and "lost" are the stages the importer adds');
  let probability = probabilityOf(o.deal_probability, `${path}.deal_probability`, w, 100);
  if (probability === null) {
    probability = 100;
    w.add('probability_guessed', `${path}.deal_probability`, `stage ${stageId} has no deal_probability; Pipedrive's default, 100, is used`);
  }
  const rotOn = optBool(o.is_deal_rot_enabled ?? o.rotten_flag, `${path}.rotten_flag`) === true;
  const days = looseNumber(o.days_to_rotten ?? o.rotten_days);
  const rot = rotOn && typeof days === 'number' && days >= 0 && days <= 36500 ? { rotAfterDays: days } : {};
  return {
    stage: { id: stageId, name: cleanName(o.name, stageId), probability, outcome: 'open', forecastCategory: 'pipeline', deleted: deletedFlag(o, path), path, ...rot },
    pipelineId: id(o.pipeline_id, `${path}.pipeline_id`),
    order: order(o.order_nr),
  };
}
