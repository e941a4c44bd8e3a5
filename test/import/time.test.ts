import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readInstant } from '../../src/import/time.js';

// Pipedrive v1 writes instants without a zone (`2024-04-01 08:00:00`): read as UTC and reported
// as zoneless, on the fast path as on the general one.

const arbInstant = fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59) }).map((ms) => ms - (((ms % 1000) + 1000) % 1000));

describe('readInstant', () => {
  it('reads zoneless date-times, space or T between date and time, as UTC and says they are zoneless', () => {
    fc.assert(
      fc.property(arbInstant, fc.constantFrom(' ', 'T'), fc.boolean(), (ms, sep, millis) => {
        const iso = new Date(ms).toISOString();
        const text = `${iso.slice(0, 10)}${sep}${iso.slice(11, millis ? 23 : 19)}`;
        expect(readInstant(text)).toEqual({ ms, zoneless: true });
        expect(readInstant(`${text}Z`)).toEqual({ ms, zoneless: false });
        expect(readInstant(`${text}+02:00`)).toEqual({ ms: ms - 7_200_000, zoneless: false });
      }),
    );
  });

  it('refuses zoneless date-times whose fields are out of range', () => {
    for (const bad of ['2023-02-29 10:00:00', '2024-02-30 10:00:00', '2024-04-31 10:00:00', '2024-01-01 24:00:00', '2024-01-01 10:60:00', '2024-01-01 10:00:60', '2024-13-01 10:00:00', '2024-1a-01 10:00:00']) {
      expect(readInstant(bad), bad).toBeNull();
    }
    expect(readInstant('2024-02-29 23:59:59')).toEqual({ ms: Date.UTC(2024, 1, 29, 23, 59, 59), zoneless: true });
  });
});
