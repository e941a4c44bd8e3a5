import { isPipelineError } from '../../errors.js';
import type { DealChange } from '../../ports/repositories.js';
import { ensure, ensureEqual, thrown } from './assert.js';
import { deal, insert, next, type ContractCheck } from './fixtures.js';

/** Malformed save input: every store refuses it alike, naming the path, and writes nothing. */
export const saveInputChecks: readonly ContractCheck[] = [
  {
    name: 'save refuses malformed input with invalid_input naming the path (expectedVersion 1.5, -1, NaN; a deal twice; not an array; malformed options) and writes nothing',
    async run(make) {
      const repos = await make();
      const stored = deal('x');
      await insert(repos.deals, [stored]);
      const moved = next(stored, 'quote');
      const cases: [string, unknown, string][] = [
        ['expectedVersion 1.5', [{ deal: moved, expectedVersion: 1.5 }], 'changes[0].expectedVersion'],
        ['expectedVersion -1', [{ deal: deal('y'), expectedVersion: null }, { deal: moved, expectedVersion: -1 }], 'changes[1].expectedVersion'],
        ['expectedVersion NaN', [{ deal: moved, expectedVersion: Number.NaN }], 'changes[0].expectedVersion'],
        ["expectedVersion '1'", [{ deal: moved, expectedVersion: '1' }], 'changes[0].expectedVersion'],
        ['a deal twice', [{ deal: moved, expectedVersion: 1 }, { deal: moved, expectedVersion: 1 }], 'changes'],
        ['an object instead of an array', { deal: moved, expectedVersion: 1 }, 'changes'],
        ['null', null, 'changes'],
      ];
      for (const [what, changes, path] of cases) {
        const error = await thrown(repos.deals.save(changes as DealChange[]));
        ensure(isPipelineError(error, 'invalid_input'), `a save with ${what} must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
        ensureEqual((error as { details: { path?: unknown } }).details.path, path, `a save with ${what}: the error's details.path`);
      }
      const options: [string, unknown, string][] = [
        ['options.workspaceVersion -1', { workspaceVersion: -1 }, 'options.workspaceVersion'],
        ['options.workspaceVersion 1.5', { workspaceVersion: 1.5 }, 'options.workspaceVersion'],
        ['options.events not an array', { events: 'none' }, 'options.events'],
        ['options null', null, 'options'],
      ];
      for (const [what, given, path] of options) {
        const error = await thrown(repos.deals.save([{ deal: moved, expectedVersion: 1 }], given as never));
        ensure(isPipelineError(error, 'invalid_input'), `a save with ${what} must fail with 'invalid_input', got ${error === null ? 'success' : String(error)}`);
        ensureEqual((error as { details: { path?: unknown } }).details.path, path, `a save with ${what}: the error's details.path`);
      }
      ensureEqual(await repos.deals.get('x'), stored, 'deal x after the refused saves');
      ensure((await repos.deals.get('y')) === null, 'deal y must not exist after a refused save');
    },
  },
];
