import type { PipelineService } from '../index.js';
import { HttpError } from './problems.js';

/**
 * The reports `GET /reports/:name` may run: the service's methods over the stored deals of these
 * names. A name is routed only when the service has a method of that name, so a service without
 * one answers 404.
 *
 * @example
 * ```ts
 * REPORT_NAMES.includes('dwellStats'); // true
 * ```
 * @category HTTP
 */
export const REPORT_NAMES = [
  'dwellStats',
  'stalledDeals',
  'conversionFunnel',
  'movementStats',
  'salesCycle',
  'pipelineWaterfall',
  'slippage',
  'stageConversion',
  'salesVelocity',
  'pipelineCoverage',
  'weightedPipeline',
] as const;

/**
 * One of {@link REPORT_NAMES}.
 *
 * @example
 * ```ts
 * const name: ReportName = 'dwellStats';
 * ```
 * @category HTTP
 */
export type ReportName = (typeof REPORT_NAMES)[number];

type Method = (options?: unknown) => Promise<unknown>;

/** The service's method for report `name`, or a 404 when the name is not a report or the service has none. */
export function reportMethod(service: PipelineService, name: string): Method {
  const method = (REPORT_NAMES as readonly string[]).includes(name) ? (service as unknown as Record<string, unknown>)[name] : undefined;
  if (typeof method !== 'function') {
    throw new HttpError(404, 'Not found', 'not_found', `report ${name} does not exist`, { report: name });
  }
  return (options) => (method as Method).call(service, options);
}

// Query values are text: the names below read as the types the reports take; anything else stays text.
const NUMBERS = new Set(['target', 'runs', 'seed', 'horizon', 'window']);
const INSTANTS = new Set(['now', 'from', 'to', 'until', 'at', 'asOf']);
const BOOLEANS = new Set(['includeOpen', 'businessDays']);

/**
 * Reads report options from the query: numbers and instants as numbers when they are numeric,
 * `true`/`false` for flags, a JSON object or array where one starts with `{` or `[` (a business
 * calendar), anything else as text; the report checks the rest.
 */
export function reportOptions(params: URLSearchParams): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, value] of params) {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
      throw new HttpError(400, 'Bad Request', 'invalid_input', `query.${name}: not an option name`, { path: `query.${name}` });
    }
    if (Object.hasOwn(options, name)) throw new HttpError(400, 'Bad Request', 'invalid_input', `query.${name}: expected one value`, { path: `query.${name}` });
    options[name] = optionValue(name, value);
  }
  return options;
}

function optionValue(name: string, value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new HttpError(400, 'Bad Request', 'invalid_input', `query.${name}: not valid JSON`, { path: `query.${name}` });
    }
  }
  if (BOOLEANS.has(name) && (value === 'true' || value === 'false')) return value === 'true';
  if ((NUMBERS.has(name) || INSTANTS.has(name)) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/** Writes report options as query parameters: the inverse of {@link reportOptions}. */
export function reportParams(options: object | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options ?? {})) {
    if (value === undefined) continue;
    if (value instanceof Date) params.set(name, value.toISOString());
    else if (typeof value === 'object' && value !== null) params.set(name, JSON.stringify(value));
    else params.set(name, String(value));
  }
  return params;
}
