import { describe, expect, it } from 'vitest';
import { everyPage } from './paging.js';

describe('everyPage', () => {
  const listing = (cursors: (string | null)[]) => async (after: string | null) => {
    const at = after === null ? 0 : Number(after);
    return { items: [at], next: cursors[at] ?? null };
  };

  it('asks from no cursor, then with each next, until next is null', async () => {
    const asked: (string | null)[] = [];
    const pages = await everyPage(async (after) => {
      asked.push(after);
      return listing(['1', '2', null])(after);
    });
    expect(asked).toEqual([null, '1', '2']);
    expect(pages.flatMap((p) => p.items)).toEqual([0, 1, 2]);
  });

  it('fails a listing whose cursor does not end', async () => {
    await expect(everyPage(async () => ({ next: 'again' }), 5)).rejects.toThrow('did not end after 5 pages');
  });
});
