import { isPipelineError, type PipelineError } from '../errors.js';
import type { RetryOptions } from './types.js';

/** Conflicts that a retry cannot cure (a caller's stale expected version). */
const final = new WeakSet<object>();

/** Marks a conflict as not to be retried, and returns it. */
export function finalConflict(e: PipelineError): PipelineError {
  final.add(e);
  return e;
}

/** The retry of version conflicts when the host sets none. */
export const DEFAULT_RETRY: Required<RetryOptions> = { maxRetries: 20, baseDelayMs: 2, maxDelayMs: 250 };

/**
 * Runs an attempt again after a version conflict (not a final one), with exponential backoff and
 * full jitter, so that callers that collided spread out instead of colliding again.
 */
export function retryingConflicts(options: Required<RetryOptions>, random: () => number): <T>(attempt: () => Promise<T>) => Promise<T> {
  return async (attempt) => {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (e) {
        if (!isPipelineError(e, 'conflict') || final.has(e) || tries >= options.maxRetries) throw e;
        const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** tries);
        const delay = Math.floor(random() * cap);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
}
