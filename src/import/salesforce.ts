import { assemble, Assembly } from './assemble.js';
import { guarded } from './common.js';
import { Warnings } from './draft.js';
import { obj } from './read.js';
import { readSalesforcePage } from './salesforceHistory.js';
import { LAYOUT_ID, readSalesforceSetup, STANDARD_ID } from './salesforceSetup.js';
import { pageImporter, streamPages, type Pages } from './stream.js';
import type { ImportBatch, ImportResult } from './types.js';

/**
 * The SOQL query results a host fetched from Salesforce (pages concatenated), each
 * `{ records }` or the bare array:
 * - `stages`: `SELECT ApiName, MasterLabel, SortOrder, IsActive, IsClosed, IsWon, DefaultProbability, ForecastCategoryName FROM OpportunityStage`;
 * - `opportunities`: `SELECT Id, Name, StageName, Amount, Probability, CloseDate, RecordTypeId, OwnerId, CreatedDate, LastModifiedDate FROM Opportunity`
 *   (add `CurrencyIsoCode` in multi-currency orgs);
 * - `history`: `SELECT OpportunityId, StageName, Amount, Probability, CloseDate, PrevAmount, PrevCloseDate, CreatedDate, CreatedById FROM OpportunityHistory`;
 *   (`FromOpportunityStageName`, `FromForecastCategory`, `PrevOpportunityStageUpdate` and
 *   `ValidThroughDate`, where the export carries them, order rows that share a `CreatedDate`);
 * - `businessProcesses` (optional): sales processes, from the Tooling API
 *   (`SELECT Id, Name, IsActive, TableEnumOrId, Metadata FROM BusinessProcess`), the Metadata
 *   API (`{ fullName: 'Opportunity.Name', isActive, values: [{ fullName }] }`) or the Salesforce
 *   CLI's source format (`fullName: 'Name'`, without the object; its pipeline id is still
 *   `Opportunity.Name`, and a process whose values are no OpportunityStage is left out);
 * - `recordTypes` (optional): `SELECT Id, Name, BusinessProcessId, SobjectType FROM RecordType`,
 *   or record types whose `businessProcess` names the process (as the metadata does) with their `Id`.
 *
 * @example
 * ```ts
 * const payload: SalesforcePayload = { stages: { records: [] }, opportunities: { records: [] }, history: { records: [] } };
 * ```
 * @category Importers
 */
export interface SalesforcePayload {
  readonly stages: unknown;
  readonly opportunities: unknown;
  readonly history: unknown;
  readonly businessProcesses?: unknown;
  readonly recordTypes?: unknown;
}

/**
 * Salesforce opportunities all belong to this layout.
 *
 * @example
 * ```ts
 * fromSalesforce(payload).workspace.layouts[0].id === SALESFORCE_LAYOUT_ID; // true
 * ```
 * @category Importers
 */
export const SALESFORCE_LAYOUT_ID = LAYOUT_ID;
/**
 * The standard pipeline: every active stage of the `StageName` picklist.
 *
 * @example
 * ```ts
 * dwellStats(deals, { now: Date.now(), pipelineId: SALESFORCE_STANDARD_PIPELINE_ID });
 * ```
 * @category Importers
 */
export const SALESFORCE_STANDARD_PIPELINE_ID = STANDARD_ID;

/**
 * Imports Salesforce opportunity stages, sales processes, opportunities and `OpportunityHistory`.
 *
 * Which field of a record becomes which deal field: {@link SALESFORCE_DEAL_FIELDS}, the table the
 * importer reads records through. How stages, pipelines, history, time zones and warnings are
 * read is told once, in the [importers guide](../../docs/importers.md) (section Salesforce).
 *
 * @param payload - `{ stages, opportunities, history, businessProcesses?, recordTypes? }`
 * @returns `{ workspace, deals, warnings }`
 * @throws PipelineError `invalid_input` naming the JSON path of what cannot be read
 * @example
 * ```ts
 * const { workspace, deals } = fromSalesforce({ stages, opportunities, history });
 * dwellStats(deals, { now: Date.now(), pipelineId: 'Opportunity:standard' });
 * ```
 * @category Importers
 */
export function fromSalesforce(payload: SalesforcePayload): ImportResult {
  return guarded(() => {
    const w = new Warnings();
    const p = obj(payload, 'payload');
    const setup = readSalesforceSetup(p, w);
    const { drafts } = readSalesforcePage(setup, p, { opportunities: 0, history: 0 }, w);
    const { workspace, deals } = assemble([setup.layout], drafts, w);
    return { workspace, deals, warnings: w.list };
  });
}

/**
 * The configuration part of a {@link SalesforcePayload}: what {@link streamSalesforce} reads once.
 *
 * @example
 * ```ts
 * const setup: SalesforceSetupPayload = { stages: { records: [] }, businessProcesses: [], recordTypes: { records: [] } };
 * ```
 * @category Importers
 */
export interface SalesforceSetupPayload {
  readonly stages: unknown;
  readonly businessProcesses?: unknown;
  readonly recordTypes?: unknown;
}

/**
 * One page of a streamed Salesforce import: a page of opportunities and the OpportunityHistory
 * rows of those opportunities (`{ records }` or bare arrays).
 *
 * @example
 * ```ts
 * const page: SalesforcePage = { opportunities: { records: [] }, history: { records: [] } };
 * ```
 * @category Importers
 */
export interface SalesforcePage {
  readonly opportunities: unknown;
  readonly history: unknown;
}

/**
 * {@link fromSalesforce} one page at a time, for orgs too large to import in one call: the
 * configuration is read once from `setup`, then each page of opportunities (with the history
 * rows of those opportunities) becomes one {@link ImportBatch}; a last batch without deals holds
 * the final workspace and the warnings only the whole import can tell. Memory holds one page, the
 * configuration and the opportunity ids seen. The batches' deals and warnings, concatenated,
 * are those of `fromSalesforce` on the pages concatenated (warning paths number records as in
 * that payload); each batch's workspace holds what its deals and the earlier ones need, and the
 * last one is that import's workspace.
 *
 * @param setup - `{ stages, businessProcesses?, recordTypes? }`, as for `fromSalesforce`
 * @param pages - an array, iterable or async iterable of `{ opportunities, history }`
 * @returns an async generator of `{ workspace, deals, warnings }`, one per page and a last one
 * @throws PipelineError `invalid_input` (from the generator) naming the JSON path of what cannot be read
 * @example
 * ```ts
 * for await (const { deals, warnings } of streamSalesforce({ stages }, pagesOfOpportunities())) {
 *   await saveDeals(deals);
 * }
 * ```
 * @category Importers
 */
export function streamSalesforce(setup: SalesforceSetupPayload, pages: Pages<SalesforcePage>): AsyncGenerator<ImportBatch> {
  return streamPages(() => {
    const w = new Warnings();
    const read = readSalesforceSetup(obj(setup, 'payload'), w);
    const offsets = { opportunities: 0, history: 0 };
    return pageImporter(new Assembly([read.layout], w), w, (body, path, emit) => {
      const { drafts, counts } = readSalesforcePage(read, obj(body, path), offsets, w);
      offsets.opportunities += counts.opportunities;
      offsets.history += counts.history;
      for (const draft of drafts) emit({ draft });
    });
  }, pages);
}
