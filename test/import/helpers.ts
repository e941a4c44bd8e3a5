import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ImportResult } from '../../src/import.js';
import { checkInvariants } from '../../src/testing.js';

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));
}

/** The instant after every change of the import: where the open visits are measured to. */
export function lastInstant(r: ImportResult): number {
  return Math.max(0, ...r.deals.map((d) => d.updatedAt));
}

export function expectValid(r: ImportResult): void {
  expect(checkInvariants(r.workspace, r.deals, { now: lastInstant(r) })).toEqual([]);
  expect(checkInvariants(r.workspace, r.deals, { now: lastInstant(r) + 86_400_000 })).toEqual([]);
}

export const at = (iso: string): number => Date.parse(iso);

export function codes(r: ImportResult): string[] {
  return r.warnings.map((w) => w.code);
}
