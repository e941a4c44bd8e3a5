import { isPipelineError, PipelineError } from '../errors.js';
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
