import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isPipelineError } from '../../src/index.js';
import { configureSqlite } from '../../src/sqlite.js';

function withFile(run: (db: Database.Database) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sp-configure-'));
  const db = new Database(join(dir, 'crm.db'));
  try {
    run(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('configureSqlite', () => {
  it('sets WAL, synchronous NORMAL, the busy timeout and a 64 MiB page cache by default', () => {
    withFile((db) => {
      configureSqlite(db);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('cache_size', { simple: true })).toBe(-64 * 1024);
    });
  });

  it('takes the busy timeout and the cache size from its options', () => {
    withFile((db) => {
      configureSqlite(db, { busyTimeoutMs: 250, cacheMiB: 256 });
      expect(db.pragma('busy_timeout', { simple: true })).toBe(250);
      expect(db.pragma('cache_size', { simple: true })).toBe(-256 * 1024);
    });
  });

  it('refuses malformed options naming the option, leaving the connection as it was', () => {
    withFile((db) => {
      const before = db.pragma('cache_size', { simple: true });
      for (const [options, path] of [
        [{ cacheMiB: 0 }, 'options.cacheMiB'],
        [{ cacheMiB: 1.5 }, 'options.cacheMiB'],
        [{ cacheMiB: '64' }, 'options.cacheMiB'],
        [{ busyTimeoutMs: -1 }, 'options.busyTimeoutMs'],
        [null, 'options'],
      ] as const) {
        let thrown: unknown;
        try {
          configureSqlite(db, options as never);
        } catch (e) {
          thrown = e;
        }
        expect(isPipelineError(thrown, 'invalid_input')).toBe(true);
        expect((thrown as { details: { path: string } }).details.path).toBe(path);
      }
      expect(db.pragma('cache_size', { simple: true })).toBe(before);
      expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    });
  });
});
