import { isPipelineError, PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Assembly } from './assemble.js';
import type { DraftDeal, Warnings } from './draft.js';
import type { ImportBatch } from './types.js';

// The one page loop of the streaming importers: pages in, batches out. The configuration is read
// once; each page's deals are placed, built and checked against the workspace so far; a last
// batch holds the final workspace and the warnings only the whole import can tell. Memory holds
// one page, the configuration and the ids of the deals seen.

/** Pages of a payload: an iterable or an async iterable (an async generator fetching them). */
export type Pages<P = unknown> = Iterable<P> | AsyncIterable<P>;

/** An import in progress: one page at a time, then the end. */
export interface Importer {
  /** Imports one page; `path` names it in warnings and errors. */
  page(body: unknown, path: string): ImportBatch;
  /** The final workspace and the warnings only the whole import can tell. */
  finish(): ImportBatch;
}

/**
 * Reads one page: `emit` is called with each record read (in payload order), as a draft with
 * what the vendor reported of it.
 */
export type PageReader<R> = (body: unknown, path: string, emit: (read: R) => void) => void;

/**
 * An importer of one vendor's pages: `readPage` turns a page into drafts, and `compare` checks
 * each built deal against what the vendor reported of it. Each deal is placed, built and
 * compared as it is read, so that a page's batch does not depend on the pages before it but
 * through the workspace (which grows with what the deals need), and a deal listed again on a
 * later page is left out as in a one-shot import.
 */
export function pageImporter<R extends { readonly draft: DraftDeal }>(
  assembly: Assembly,
  w: Warnings,
  readPage: PageReader<R>,
  compare?: (deal: Deal, read: R) => void,
): Importer {
  return {
    page(body, path) {
      const deals: Deal[] = [];
      const drafts = new Map<string, DraftDeal>();
      readPage(body, path, (r) => {
        const deal = assembly.add(r.draft);
        if (deal === null) return;
        compare?.(deal, r);
        deals.push(deal);
        drafts.set(deal.id, r.draft);
      });
      const workspace = assembly.workspace();
      return { workspace, deals: assembly.verify(workspace, deals, drafts), warnings: w.take() };
    },
    finish() {
      return { workspace: assembly.finish(), deals: [], warnings: w.take() };
    },
  };
}

/**
 * A page reader for vendors whose records read one at a time: `list` finds a page's records,
 * `read` turns one into a draft (null: left out). A record's warnings then come with its deal's.
 */
export function recordReader<R>(
  list: (body: unknown, path: string) => { items: readonly unknown[]; path: string },
  read: (item: unknown, path: string) => R | null,
): PageReader<R> {
  return (body, path, emit) => {
    const { items, path: listPath } = list(body, path);
    for (let i = 0; i < items.length; i++) {
      const r = read(items[i], `${listPath}[${i}]`);
      if (r !== null) emit(r);
    }
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
