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
 * - One layout `Opportunity`; its picklist is every `OpportunityStage` by `SortOrder` (stage id =
 *   `ApiName`, the value `StageName` holds). `IsClosed`/`IsWon` give the outcome,
 *   `DefaultProbability` the probability, `ForecastCategoryName` the forecast category (Best Case
 *   and Most Likely → `best_case`, Commit/Forecast → `commit`). Inactive stages are kept only
 *   where history names them.
 * - The standard pipeline `Opportunity:standard` holds every active stage and is the default.
 *   Each active sales process of opportunities becomes a pipeline of its values (in picklist
 *   order); an opportunity is in the process of its record type, or in the standard pipeline
 *   without one. Without business processes there is just the standard pipeline.
 * - History: the rows of each opportunity by `CreatedDate`. A row whose `StageName` is the
 *   stage the opportunity is already in (written because Amount, Probability or CloseDate changed)
 *   adds no visit: its values go to the change log, `PrevCloseDate` → `CloseDate` as a
 *   `closingDate` change (a push or a pull-in). Rows of one transaction share their `CreatedDate`:
 *   a row valid through an earlier instant (`ValidThroughDate`) or following an earlier stage
 *   update (`PrevOpportunityStageUpdate`) comes first, and each row follows the row whose stage
 *   (`FromOpportunityStageName`) or forecast category (`FromForecastCategory`) it names. Deleted
 *   rows (`IsDeleted`) are left out.
 * - Rows carry no record type. Walking back from the opportunity's process, a visit stays in the
 *   process the opportunity was in next while it lists the stage; otherwise (the record type was
 *   changed) it goes to the one active process that lists the stage, or the standard pipeline when
 *   several or none do, with a `pipeline_guessed` warning.
 * - Instants are read with their offset (`2024-04-01T08:00:00.000+0000`); `CloseDate` is a date.
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
