import { PipelineError } from '../errors.js';
import type { PipelineServiceOptions } from './types.js';

// The options of createPipelineService are checked once, where they enter: a `chunkSize` of 0
// would page forever, a `retry.baseDelayMs` of NaN would retry without waiting, a clock that is
// not a function would fail on the first command instead of at start-up.

/** The most deals per page and per save: the same bound as a bulk request's `chunkSize`. */
const MAX_CHUNK_SIZE = 100_000;
/** Retries after a conflict: beyond this a caller waits minutes for a call that keeps colliding. */
const MAX_RETRIES = 1_000;
/** The longest backoff between two retries, in ms (one hour). */
const MAX_DELAY_MS = 3_600_000;

const FUNCTIONS = ['clock', 'random', 'authorize', 'onEvents', 'onDeliveryError'] as const;
const METHODS = { workspace: ['load', 'save'], deals: ['get', 'getMany', 'list', 'save'] } as const;
const RETRY_KEYS = ['maxRetries', 'baseDelayMs', 'maxDelayMs'] as const;

function refuse(path: string, problem: string): never {
  throw new PipelineError('invalid_input', `${path}: ${problem}`, { path });
}

/**
 * Every own enumerable option, each read once (a getter cannot pass the check and then answer
 * differently), with a read that throws refused as `invalid_input` naming the option. Options this
 * file does not know pass through unchecked, for the host's own wrappers.
 */
function snapshot(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) refuse(path, 'expected an object');
  let keys: string[];
  try {
    if (Array.isArray(value)) refuse(path, 'expected an object');
    keys = Object.keys(value);
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    return refuse(path, 'could not be read (a revoked Proxy?)');
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    try {
      // defineProperty: a key such as __proto__ stays a plain data property of the copy.
      Object.defineProperty(out, key, { value: (value as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
    } catch {
      refuse(`${path}.${key}`, 'reading it threw');
    }
  }
  return out;
}

function checkInteger(value: unknown, path: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(path, `expected an integer from ${min} to ${max}, got ${typeof value === 'number' ? String(value) : typeof value}`);
  }
}

function checkDelay(value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    refuse(path, `expected milliseconds from 0 to ${MAX_DELAY_MS}, got ${typeof value === 'number' ? String(value) : typeof value}`);
  }
}

/** A repository object whose listed methods are functions, read once into a plain object of its own. */
function checkRepository(value: unknown, path: string, methods: readonly string[]): void {
  if (typeof value !== 'object' || value === null) refuse(path, 'expected a repository object');
  for (const method of methods) {
    let fn: unknown;
    try {
      fn = (value as Record<string, unknown>)[method];
    } catch {
      refuse(`${path}.${method}`, 'reading it threw');
    }
    if (typeof fn !== 'function') refuse(`${path}.${method}`, 'expected a function');
  }
}

function checkRetry(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const retry = snapshot(value, 'options.retry');
  for (const key of Object.keys(retry)) {
    if (!(RETRY_KEYS as readonly string[]).includes(key)) refuse(`options.retry.${key}`, `unknown option; expected one of ${RETRY_KEYS.join(', ')}`);
  }
  checkInteger(retry.maxRetries, 'options.retry.maxRetries', 0, MAX_RETRIES);
  checkDelay(retry.baseDelayMs, 'options.retry.baseDelayMs');
  checkDelay(retry.maxDelayMs, 'options.retry.maxDelayMs');
  return retry;
}

/**
 * Checks the options of createPipelineService and returns them as a plain object read once:
 * `invalid_input` naming `options.<name>` for a missing or malformed repository, a non-function
 * hook, a `chunkSize` outside 1..100,000, retries outside 0..1,000 or delays that are not finite
 * milliseconds.
 */
export function checkServiceOptions(options: unknown): PipelineServiceOptions {
  const o = snapshot(options, 'options');
  for (const [name, methods] of Object.entries(METHODS)) checkRepository(o[name], `options.${name}`, methods);
  for (const name of ['outbox', 'visits']) {
    if (o[name] !== undefined && (typeof o[name] !== 'object' || o[name] === null)) refuse(`options.${name}`, 'expected a repository object');
  }
  for (const name of FUNCTIONS) {
    if (o[name] !== undefined && typeof o[name] !== 'function') refuse(`options.${name}`, 'expected a function');
  }
  checkInteger(o.chunkSize, 'options.chunkSize', 1, MAX_CHUNK_SIZE);
  checkInteger(o.maxRetries, 'options.maxRetries', 0, MAX_RETRIES);
  const retry = checkRetry(o.retry);
  if (retry !== undefined) o.retry = retry;
  return o as unknown as PipelineServiceOptions;
}
