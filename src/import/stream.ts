import { isPipelineError, PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Assembly } from './assemble.js';
import type { DraftDeal, Warnings } from './draft.js';
import type { ImportBatch } from './types.js';

// The shared machinery of the streaming importers: pages in, batches out.

/** Pages of a payload: an iterable or an async iterable (an async generator fetching them). */
export type Pages = Iterable<unknown> | AsyncIterable<unknown>;

/** An import in progress: one page at a time, then the end. */
export interface Importer {
  /** Imports one page; `path` names it in warnings and errors. */
  page(body: unknown, path: string): ImportBatch;
  /** The final workspace and the warnings only the whole import can tell. */
  finish(): ImportBatch;
}

/**
 * An importer of one vendor's pages: `list` finds a page's records, `read` turns one into a
 * draft (with what the vendor reported of it), and `compare` checks the built deal against that.
 * Each deal is read, placed, built and compared in turn, so that its warnings come together and
 * a page's batch does not depend on the pages before it but through the workspace.
 */
export function pagedImporter<R extends { readonly draft: DraftDeal }>(
  assembly: Assembly,
  w: Warnings,
  list: (body: unknown, path: string) => { items: readonly unknown[]; path: string },
  read: (item: unknown, path: string) => R | null,
  compare: (deal: Deal, read: R) => void,
): Importer {
  return {
    page(body, path) {
      const { items, path: listPath } = list(body, path);
      const deals: Deal[] = [];
      const drafts = new Map<string, DraftDeal>();
      for (let i = 0; i < items.length; i++) {
        const r = read(items[i], `${listPath}[${i}]`);
        if (r === null) continue;
        const deal = assembly.add(r.draft);
        if (deal === null) continue;
        compare(deal, r);
        deals.push(deal);
        drafts.set(deal.id, r.draft);
      }
      const workspace = assembly.workspace();
      return { workspace, deals: assembly.verify(workspace, deals, drafts), warnings: w.take() };
    },
    finish() {
      return { workspace: assembly.finish(), deals: [], warnings: w.take() };
    },
  };
}

/** Anything but a PipelineError thrown while importing becomes `invalid_input` on `path`. */
function rethrow(e: unknown, path: string): never {
  if (isPipelineError(e)) throw e;
  throw new PipelineError('invalid_input', `${path}: could not be read`, { path }, { cause: e });
}

function iteratorOf(pages: Pages): Iterator<unknown> | AsyncIterator<unknown> {
  const p = pages as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null;
  const async = typeof p === 'object' && p !== null ? p[Symbol.asyncIterator] : undefined;
  if (typeof async === 'function') return async.call(p);
  const sync = (typeof p === 'object' || typeof p === 'string') && p !== null ? p[Symbol.iterator] : undefined;
  if (typeof sync === 'function' && typeof p !== 'string') return sync.call(p);
  throw new PipelineError('invalid_input', 'pages: expected an iterable or an async iterable of pages', { path: 'pages' });
}

/**
 * Runs an import over pages: `start` reads the configuration (errors are thrown on the first
 * `next()`), each page gives a batch, and the end a last batch. Only one page is held at a time.
 */
export async function* streamPages(start: () => Importer, pages: Pages): AsyncGenerator<ImportBatch> {
  let importer: Importer;
  let it: Iterator<unknown> | AsyncIterator<unknown>;
  try {
    importer = start();
    it = iteratorOf(pages);
  } catch (e) {
    rethrow(e, 'setup');
  }
  for (let i = 0; ; i++) {
    // A failure of the pages themselves (a fetch that failed) is the host's: it passes through.
    const step = await it.next();
    if (step.done === true) break;
    const path = `pages[${i}]`;
    let batch: ImportBatch;
    try {
      batch = importer.page(step.value, path);
    } catch (e) {
      await it.return?.();
      rethrow(e, path);
    }
    yield batch;
  }
  yield importer.finish();
}
