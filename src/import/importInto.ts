import { configurationOf } from '../configuration/configurationOf.js';
import { PipelineError } from '../errors.js';
import type { ImportDealsOptions, ImportReport, PipelineService } from '../service/types.js';
import { prepareStandardOnlyLayouts } from './standardOnly.js';
import type { ImportResult } from './types.js';

/**
 * Options of {@link importInto}: those of `service.importDeals` (`mode`, `by`, `chunkSize`,
 * `onProgress`, `signal`, `expectedVersions`).
 *
 * @example
 * ```ts
 * const options: ImportIntoOptions = { mode: 'upsert', by: 'zoho-sync', onProgress: ({ done, total }) => bar.set(done / (total ?? 1)) };
 * ```
 * @category Importers
 */
export type ImportIntoOptions = ImportDealsOptions;

/**
 * Saves an importer's result (`fromZoho`, `fromHubSpot`, `fromPipedrive`, `fromSalesforce`) into
 * a service's store. First the result's configuration: its layouts are made to look like the
 * vendor's through `service.configure` and `service.applyConfiguration` (a layout whose only
 * pipeline is the standard one is set up first, with a scaffold pipeline created and deleted; pipelines and stages already stored are
 * reconciled, not duplicated; layouts the result does not name are left alone; a pipeline or
 * stage the vendor dropped that stored deals still use is refused there with `pipeline_in_use`
 * / `stage_in_use` before any deal is saved). Then the deals, with the history and change log
 * the vendor reported, through `service.importDeals`, chunk by chunk (see {@link ImportReport}):
 * `create` refuses ids already stored (`duplicate_id`); `upsert` re-syncs, leaving unchanged
 * deals alone and appending the vendor's new visits after the stored history of changed ones, so
 * running the same import twice reports every deal `unchanged` the second time. A deal that
 * fails a check is refused on its own; the import goes on. `onProgress` is told after each
 * committed chunk; `signal` stops between chunks (committed chunks stay, `cancelled: true`); a
 * signal aborted before the call changes nothing.
 *
 * @param service - a `PipelineService` (`createPipelineService`)
 * @param result - what an importer returned: `{ workspace, deals }`
 * @param options - `mode: 'create' | 'upsert'`, and `by`, `chunkSize`, `onProgress`, `signal`
 * @returns the deals created, updated, unchanged and refused (with code and message)
 * @example
 * ```ts
 * const report = await importInto(service, fromHubSpot(payload), { mode: 'upsert', by: 'hubspot-sync' });
 * console.log(`${report.created.length} new, ${report.updated.length} updated, ${report.refused.length} refused`);
 * ```
 * @category Importers
 */
export async function importInto(service: PipelineService, result: ImportResult, options: ImportIntoOptions): Promise<ImportReport> {
  if (typeof service !== 'object' || service === null || typeof service.importDeals !== 'function' || typeof service.applyConfiguration !== 'function') {
    throw new PipelineError('invalid_input', 'service: expected a PipelineService (createPipelineService)', { path: 'service' });
  }
  if (typeof result !== 'object' || result === null || typeof result.workspace !== 'object' || result.workspace === null || !Array.isArray(result.deals)) {
    throw new PipelineError('invalid_input', 'result: expected an importer\'s result { workspace, deals }', { path: 'result' });
  }
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected { mode }', { path: 'options' });
  // Checked before the configuration is touched: a typo must not leave a half-done import.
  if (options.mode !== 'create' && options.mode !== 'upsert') throw new PipelineError('invalid_input', "options.mode: expected 'create' or 'upsert'", { path: 'options.mode' });
  const by = options.by ?? null;
  if (options.signal?.aborted === true) return { created: [], updated: [], unchanged: [], refused: [], cancelled: true };
  const desired = configurationOf(result.workspace);
  await prepareStandardOnlyLayouts(service, desired, by);
  await service.applyConfiguration(desired, { by });
  return service.importDeals(result.deals, options);
}
