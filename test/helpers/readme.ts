import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

/** The guides under docs/, in the order the README lists them (the order their snippets run in). */
export function guideFiles(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const guides = readme.slice(readme.indexOf('## Guides'));
  return [...guides.matchAll(/^- \[[^\]]+\]\((docs\/[\w-]+\.md)\)/gm)].map((m) => m[1]!);
}

/** The `ts` blocks (not `ts nocheck`) of these markdown files as one program: imports merged, bodies in order. */
export function snippetProgram(files: readonly string[]): string {
  const blocks = files.flatMap((file) => [...readFileSync(join(root, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!));
  const imports = new Map<string, Set<string>>();
  const defaults = new Map<string, string>();
  const body: string[] = [];
  for (const block of blocks) {
    for (const line of block.split('\n')) {
      const named = /^import (type )?\{ (.+) \} from '(.+)';$/.exec(line);
      const dflt = /^import (\w+) from '(.+)';$/.exec(line);
      if (named) {
        const set = imports.get(named[3]!) ?? new Set();
        for (const name of named[2]!.split(',').map((n) => n.trim())) set.add(named[1] && !name.startsWith('type ') ? `type ${name}` : name);
        imports.set(named[3]!, set);
      } else if (dflt) defaults.set(dflt[2]!, dflt[1]!);
      else body.push(line);
    }
  }
  // 'sales-pipelines' is src/index.ts; every other entry point 'sales-pipelines/x/y' is src/x/y.ts.
  const resolve = (m: string) =>
    m === 'sales-pipelines' ? join(root, 'src/index.ts') : m.startsWith('sales-pipelines/') ? join(root, `src/${m.slice('sales-pipelines/'.length)}.ts`) : m;
  const head = [
    ...[...defaults].map(([m, name]) => `import ${name} from '${resolve(m)}';`),
    ...[...imports].map(([m, names]) => `import { ${[...names].join(', ')} } from '${resolve(m)}';`),
  ];
  return [...head, ...body].join('\n');
}

/** The README's snippets as one program. */
export function readmeProgram(): string {
  return snippetProgram(['README.md']);
}

/** The guides' snippets as one program, in the README's order of the guides. */
export function guidesProgram(): string {
  return snippetProgram(guideFiles());
}
