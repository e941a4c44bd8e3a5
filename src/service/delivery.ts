import { isPipelineError, PipelineError } from '../errors.js';
import type { OutboxEntry, OutboxRepository } from '../ports/repositories.js';
import type { DeliveryFailure, DeliveryOptions, PipelineServiceOptions } from './types.js';

type Event = OutboxEntry['event'];

/** The delivery defaults: 500 events a batch, 30 s leases, 10 attempts from 1 s up to 10 min apart. */
export const DEFAULT_DELIVERY: Required<Omit<DeliveryOptions, 'retentionMs'>> = { batchSize: 500, leaseMs: 30_000, maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 600_000 };

type Settings = Required<Omit<DeliveryOptions, 'retentionMs'>> & { readonly retentionMs: number | null };

/** Delivery as the service runs it: passes apart from the writes, one at a time per service. */
export interface Delivery {
  /** Starts a pass in the background unless one is already waiting to start; never throws. */
  kick(): void;
  /** Runs a pass (after the one in progress) and returns how many events it delivered. */
  pass(): Promise<number>;
  /** Resolves when no pass is running or waiting. */
  idle(): Promise<void>;
}

/** Checks `options.delivery` and fills in the defaults. */
export function deliverySettings(input: unknown): Settings {
  if (input === undefined) return { ...DEFAULT_DELIVERY, retentionMs: null };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new PipelineError('invalid_input', 'options.delivery: expected an object', { path: 'options.delivery' });
  const o = input as Record<string, unknown>;
  const read = (key: keyof DeliveryOptions, min: number, max: number): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new PipelineError('invalid_input', `options.delivery.${key}: expected an integer from ${min} to ${max}`, { path: `options.delivery.${key}` });
    }
    return v;
  };
  for (const key of Object.keys(o)) {
    if (!['batchSize', 'leaseMs', 'maxAttempts', 'baseDelayMs', 'maxDelayMs', 'retentionMs'].includes(key)) {
      throw new PipelineError('invalid_input', `options.delivery.${key}: unknown option`, { path: `options.delivery.${key}` });
    }
  }
  const day = 86_400_000;
  return {
    batchSize: read('batchSize', 1, 10_000) ?? DEFAULT_DELIVERY.batchSize,
    leaseMs: read('leaseMs', 1, 7 * day) ?? DEFAULT_DELIVERY.leaseMs,
    maxAttempts: read('maxAttempts', 1, 1000) ?? DEFAULT_DELIVERY.maxAttempts,
    baseDelayMs: read('baseDelayMs', 0, day) ?? DEFAULT_DELIVERY.baseDelayMs,
    maxDelayMs: read('maxDelayMs', 0, 30 * day) ?? DEFAULT_DELIVERY.maxDelayMs,
    retentionMs: read('retentionMs', 0, 3650 * day) ?? null,
  };
}

/** Whether the outbox offers the claim methods (all or none). */
export function claims(outbox: OutboxRepository): outbox is Required<OutboxRepository> {
  return outbox.claim !== undefined && outbox.fail !== undefined && outbox.parked !== undefined && outbox.retryParked !== undefined && outbox.purgeDelivered !== undefined;
}

/** One pass: its instant, the streams held back, the events handed out. */
interface PassState {
  readonly at: number;
  readonly failed: Set<string>;
  readonly tried: Set<number>;
}

const streamOf = (event: Event) => ('dealId' in event && typeof event.dealId === 'string' ? event.dealId : '');
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Delivery for one service. A pass claims due events in bounded batches (or reads `pending` when
 * the store has no claims), hands each batch to `onEvents` and marks it delivered. A rejected
 * batch is split in halves until the failing events stand alone; each of those is retried with
 * exponential backoff and parked after `maxAttempts`, reported to `onDeliveryError`. Events of
 * a stream after a failed one in the same batch are not handed out (their lease runs out), so a
 * deal's events never arrive out of order, and parked events block nothing.
 */
export function createDelivery(o: PipelineServiceOptions, outbox: OutboxRepository, now: () => number, owner: string): Delivery {
  const settings = deliverySettings(o.delivery);
  const onEvents = o.onEvents!;
  let chain: Promise<unknown> = Promise.resolve();
  let waiting: Promise<number> | null = null;

  const report = (error: unknown, failure?: DeliveryFailure) => {
    try {
      o.onDeliveryError?.(error, failure);
    } catch {
      // The reporter's own failure must not reach a writer or stop delivery.
    }
  };

  /**
   * Delivers `batch`; returns how many were delivered. `failed`: streams with an event that failed
   * and waits for a retry (their later events are held back); `tried`: what was handed out.
   */
  const deliver = async (outboxClaims: Required<OutboxRepository>, batch: readonly OutboxEntry[], pass: PassState): Promise<number> => {
    const { failed, tried, at } = pass;
    const live = batch.filter((e) => !failed.has(streamOf(e.event)));
    if (live.length === 0) return 0;
    for (const e of live) tried.add(e.seq);
    try {
      await onEvents(live.map((e) => e.event));
    } catch (error) {
      if (live.length > 1) {
        const half = Math.ceil(live.length / 2);
        const first = await deliver(outboxClaims, live.slice(0, half), pass);
        return first + (await deliver(outboxClaims, live.slice(half), pass));
      }
      const entry = live[0]!;
      const attempts = (entry.attempts ?? 0) + 1;
      const parked = attempts >= settings.maxAttempts;
      // A parked event blocks nothing; one waiting for its retry holds its stream back.
      if (!parked) failed.add(streamOf(entry.event));
      const delay = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempts - 1));
      await outboxClaims.fail([entry.seq], { owner, error: message(error), retryAt: parked ? null : at + delay, now: at });
      report(error, { event: entry.event, seq: entry.seq, attempts, parked });
      return 0;
    }
    await outboxClaims.markDelivered(live.map((e) => e.seq));
    return live.length;
  };

  const claimingPass = async (outboxClaims: Required<OutboxRepository>): Promise<number> => {
    // One instant per pass: an event that failed in this pass is not due again before the next.
    const pass: PassState = { at: now(), failed: new Set(), tried: new Set() };
    const at = pass.at;
    let delivered = 0;
    // Each event is handed out at most once per pass: the pass ends when a claim brings nothing new to hand out.
    for (;;) {
      const batch = (await outboxClaims.claim({ owner, limit: settings.batchSize, leaseMs: settings.leaseMs, now: at })).filter((e) => !pass.tried.has(e.seq));
      const before = pass.tried.size;
      if (batch.length > 0) delivered += await deliver(outboxClaims, batch, pass);
      if (pass.tried.size === before) break;
    }
    if (settings.retentionMs !== null) await outboxClaims.purgeDelivered(at - settings.retentionMs);
    return delivered;
  };

  /** Without claims: pending batches in order, stopping at the first failure (they stay pending). */
  const simplePass = async (): Promise<number> => {
    let delivered = 0;
    for (;;) {
      const batch = await outbox.pending(settings.batchSize);
      if (batch.length === 0) return delivered;
      try {
        await onEvents(batch.map((b) => b.event));
      } catch (error) {
        report(error);
        return delivered;
      }
      await outbox.markDelivered(batch.map((b) => b.seq));
      delivered += batch.length;
    }
  };

  const run = () => (claims(outbox) ? claimingPass(outbox) : simplePass());

  const pass = (): Promise<number> => {
    // A pass that has not started yet will see everything committed before this call.
    if (waiting) return waiting;
    const next = chain.then(() => {
      waiting = null;
      return run();
    });
    waiting = next;
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    kick() {
      pass().catch((e: unknown) => report(isPipelineError(e) ? e : new PipelineError('storage_failed', `delivery failed: ${message(e)}`, { operation: 'deliver' }, { cause: e })));
    },
    pass,
    async idle() {
      for (let seen = chain; ; seen = chain) {
        await seen;
        if (seen === chain && waiting === null) return;
      }
    },
  };
}
