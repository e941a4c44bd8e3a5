// The public surface of sales-pipelines/import: importers of CRM exports and the stage-row export.

export { fromHubSpot, streamHubSpot, HUBSPOT_LAYOUT_ID, type HubSpotPayload, type HubSpotOptions, type HubSpotSetup } from './import/hubspot.js';
export { toHubSpotTimeProperties } from './import/hubspotFigures.js';
export { toStageRows, STAGE_ROW_COLUMNS, type StageRow } from './import/stageRows.js';
export { toCsv } from './import/csv.js';
export type { ImportBatch, ImportResult, ImportWarning, ImportWarningCode } from './import/types.js';
export { importInto, type ImportIntoOptions } from './import/importInto.js';
/** @category Service */
export type { ImportReport } from './service/types.js';
export { fromPipedrive, streamPipedrive, PIPEDRIVE_LAYOUT_ID, PIPEDRIVE_WON_STAGE, PIPEDRIVE_LOST_STAGE, type PipedrivePayload, type PipedriveSetup } from './import/pipedrive.js';
export { toPipedriveStatistics, type PipedriveStatistics } from './import/pipedriveFigures.js';
export {
  fromSalesforce, streamSalesforce, SALESFORCE_LAYOUT_ID, SALESFORCE_STANDARD_PIPELINE_ID,
  type SalesforcePayload, type SalesforceSetupPayload, type SalesforcePage,
} from './import/salesforce.js';
export { fromZoho, streamZoho, type ZohoPayload, type ZohoSetupPayload, type ZohoPage } from './import/zoho.js';
export {
  HUBSPOT_DEAL_FIELDS, PIPEDRIVE_DEAL_FIELDS, SALESFORCE_DEAL_FIELDS, ZOHO_DEAL_FIELDS,
  type DealFieldMapping, type MappedDealField, type VendorField,
} from './import/dealFields.js';
