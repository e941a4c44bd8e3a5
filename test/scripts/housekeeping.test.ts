import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|md|json)$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('what a legal review and a first install read', () => {
  it('ships a LICENSE of the kind package.json names', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(existsSync(join(root, 'LICENSE'))).toBe(true);
    const text = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^MIT License/);
    expect(text).toContain('Copyright (c) 2026 sales-pipelines contributors');
  });

  it('points to no document the repository lacks: the shipped types and comments are read without DESIGN.md', () => {
    const naming = [...files(join(root, 'src')), ...files(join(root, 'examples'))]
      .filter((file) => readFileSync(file, 'utf8').includes('DESIGN.md'))
      .map((file) => relative(root, file));
    expect(existsSync(join(root, 'DESIGN.md')) || naming.length === 0, naming.join(', ')).toBe(true);
  });
});
