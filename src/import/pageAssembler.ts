import { isPipelineError, PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Layout, Workspace } from '../model/layout.js';
import type { PipelineStage } from '../model/pipeline.js';
import { assemble } from './assemble.js';
import { Warnings, type DraftDeal, type DraftLayout, type DraftPipeline, type DraftPipelineStage, type DraftStage } from './draft.js';
import type { ImportBatch } from './types.js';

// Streaming imports: the configuration is read once, then each page of deals is assembled on
// its own. What a page needed of the configuration (a deleted stage kept, a stage added to a
// pipeline, a deleted pipeline kept) is folded back into the draft layouts, so later pages
// neither warn about it again nor lose it, and the workspace of the last batch is the one the
// whole payload gives at once. Memory holds one page, the configuration, and the deal ids seen
// (a deal listed again on a later page is left out, as in a one-shot import).

/** Assembles pages of drafts against layouts that grow with what each page needed. */
export class PageAssembler {
  private layouts: DraftLayout[];
  private readonly seen = new Set<string>();
  private readonly configPaths: Set<string>;
  private readonly configWarnings = new Set<string>();

  constructor(layouts: readonly DraftLayout[]) {
    this.layouts = [...layouts];
    this.configPaths = new Set(layouts.flatMap((l) => [...l.stages.map((s) => s.path), ...l.pipelines.map((p) => p.path)]));
  }

  /** The workspace and deals of one page; warnings go to `w`. */
  add(drafts: readonly DraftDeal[], w: Warnings): { workspace: Workspace; deals: Deal[] } {
    const fresh = drafts.filter((d) => {
      if (!this.seen.has(d.id)) return true;
      w.add('deal_skipped', d.path, `deal ${d.id} appears again; only its first record is imported`);
      return false;
    });
    for (const d of fresh) this.seen.add(d.id);
    const local = new Warnings();
    const { workspace, deals } = assemble(this.layouts, fresh, local);
    for (const warning of local.list) {
      // A pipeline left out for want of an open stage is left out again on every page.
      const key = `${warning.code}\u0000${warning.path}\u0000${warning.message}`;
      if (this.configPaths.has(warning.path) && this.configWarnings.has(key)) continue;
      if (this.configPaths.has(warning.path)) this.configWarnings.add(key);
      w.list.push(warning);
    }
    this.layouts = this.layouts.map((l) => grown(l, workspace.layouts.find((x) => x.id === l.id)));
    return { workspace, deals };
  }
}

/** The draft layout with what the assembled layout kept or added made permanent. */
function grown(draft: DraftLayout, built: Layout | undefined): DraftLayout {
  if (!built) return draft;
  const defs = new Map(built.stages.map((s) => [s.id, s]));
  const stages: DraftStage[] = draft.stages.map((s) => (s.deleted && defs.has(s.id) ? { ...s, deleted: false } : s));
  const listed = new Set(draft.stages.map((s) => s.id));
  for (const s of built.stages) {
    if (listed.has(s.id)) continue;
    stages.push({ id: s.id, name: s.name, probability: s.probability, outcome: s.outcome, forecastCategory: s.forecastCategory, ...(s.rotAfterDays === undefined ? {} : { rotAfterDays: s.rotAfterDays }), deleted: false, path: `layout ${draft.id}` });
  }
  const pipelines: DraftPipeline[] = draft.pipelines.map((p) => {
    const b = built.pipelines.find((x) => x.id === p.id);
    return b ? { ...p, deleted: false, stages: mergedStages(p.stages, b.stages.map(slot)) } : p;
  });
  for (const b of built.pipelines) {
    if (draft.pipelines.some((p) => p.id === b.id)) continue;
    pipelines.push({ id: b.id, name: b.name, stages: b.stages.map(slot), standard: false, isDefault: false, deleted: false, path: `layout ${draft.id}` });
  }
  return { ...draft, stages, pipelines };
}

function slot(s: PipelineStage): DraftPipelineStage {
  return { stageId: s.stageId, ...(s.probability === undefined ? {} : { probability: s.probability }), ...(s.rotAfterDays === undefined ? {} : { rotAfterDays: s.rotAfterDays }) };
}

/**
 * The draft's stages with those the assembly added: an open stage put first (a kept pipeline
 * without one) stays first, a deal's stage appended stays last. Stages the assembly left out
 * (deleted and not yet needed) stay in the draft, for a later page that needs them.
 */
function mergedStages(draft: readonly DraftPipelineStage[], built: readonly DraftPipelineStage[]): DraftPipelineStage[] {
  const listed = new Set(draft.map((s) => s.stageId));
  const firstListed = built.findIndex((s) => listed.has(s.stageId));
  const before = built.filter((s, i) => !listed.has(s.stageId) && (firstListed < 0 || i < firstListed));
  const after = built.filter((s, i) => !listed.has(s.stageId) && firstListed >= 0 && i > firstListed);
  return [...before, ...draft, ...after];
}

/** A page source: an array, any iterable, or an async iterable (a paging fetch loop). */
export type Pages<P> = Iterable<P> | AsyncIterable<P>;

/**
 * Runs a streaming import: `read` turns each page into drafts (numbering its records after the
 * earlier pages'), `built` sees each page's deals once assembled (to compare the vendor's figures),
 * and each page becomes one batch. Setup warnings go with the first batch; no
 * pages at all still give one batch, with the workspace and no deals.
 */
export async function* streamPages<P>(
  start: (w: Warnings) => DraftLayout[],
  pages: Pages<P>,
  read: (page: unknown, index: number, w: Warnings) => DraftDeal[],
  built?: (deals: readonly Deal[], w: Warnings) => void,
): AsyncGenerator<ImportBatch> {
  const w = new Warnings();
  const assembler = await run(() => new PageAssembler(start(w)));
  let index = 0;
  for await (const page of iterate(pages)) {
    const batch = await run(() => {
      const { workspace, deals } = assembler.add(read(page, index, w), w);
      built?.(deals, w);
      return { workspace, deals, warnings: w.list.splice(0) };
    });
    index++;
    yield batch;
  }
  if (index === 0) yield await run(() => ({ ...assembler.add([], w), warnings: w.list.splice(0) }));
}

function iterate<P>(pages: Pages<P>): AsyncIterable<P> | Iterable<P> {
  const p = pages as unknown;
  if (typeof p === 'object' && p !== null && (Symbol.asyncIterator in p || Symbol.iterator in p)) return pages;
  throw new PipelineError('invalid_input', 'pages: expected an iterable or async iterable of pages', { path: 'pages' });
}

/** Anything but a PipelineError becomes `invalid_input` on the payload, as in one-shot imports. */
async function run<T>(f: () => T): Promise<T> {
  try {
    return f();
  } catch (e) {
    if (isPipelineError(e)) throw e;
    throw new PipelineError('invalid_input', 'payload: could not be read', { path: 'payload' }, { cause: e });
  }
}
