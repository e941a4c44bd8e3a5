import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the library’s zod imports', () => {
  it('import zod as a namespace, so that a bundler can leave out its message translations', () => {
    // `import { z } from 'zod'` binds zod's whole namespace object, locales included (264 kB
    // minified); `import * as z from 'zod'` lets esbuild, Rollup and Vite keep only what is used.
    const named = sources(join(root, 'src'))
      .filter((file) => /^import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*'zod'/m.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(named, "fix: sed -i \"s/^import { z } from 'zod';/import * as z from 'zod';/\" <files>").toEqual([]);
  });
});
