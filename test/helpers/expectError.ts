import { expect } from 'vitest';
import { isPipelineError, type PipelineErrorCode } from '../../src/index.js';

/** Runs `fn` and returns the PipelineError it throws, failing the test if it throws anything else or nothing. */
export function expectPipelineError(fn: () => unknown, code: PipelineErrorCode): { code: string; message: string; details: Record<string, unknown> } {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a PipelineError').toBeDefined();
  expect(isPipelineError(caught), `expected a PipelineError, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code, (caught as Error).message).toBe(code);
  return caught as never;
}

/** Deep-freezes a value, so a test proves the code under test never mutates it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
