// The public surface of sales-pipelines/http: the HTTP API over a PipelineService on the Fetch
// API, its node:http bridge, and a typed client.

export { createHttpHandler, type HttpHandlerOptions, type HttpAuthorizationRequest } from './http/handler.js';
export type { HttpOperation } from './http/routes.js';
export { toNodeListener, type NodeListenerOptions } from './http/nodeListener.js';
export { startHttpServer, type StartHttpServerOptions, type RunningHttpServer } from './http/nodeServer.js';
export { createHttpClient, type HttpClient, type HttpClientOptions, type HttpBulkRequest, type ReportOptions, type ReportResult } from './http/client.js';
export type { DealListing } from './http/dealQuery.js';
/** The keys a listing sorts by. @category HTTP */
export type { DealSort } from './ports/dealQuery.js';
export { REPORT_NAMES, type ReportName } from './http/reports.js';
