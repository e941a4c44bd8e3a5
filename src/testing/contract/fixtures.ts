import { isPipelineError } from '../../errors.js';
import type { Deal } from '../../model/deal.js';
import type { Workspace } from '../../model/layout.js';
import type { WorkspaceCommandInput } from '../../model/commands.js';
import type { StageDef } from '../../model/stage.js';
import type { DealRepository, Repositories } from '../../ports/repositories.js';
import { applyDeal } from '../../deals/apply.js';
import { applyWorkspace, emptyWorkspace } from '../../workspace/apply.js';
import { ensure, ensureEqual, thrown } from './assert.js';

/**
 * Makes fresh, empty repositories for one check.
 *
 * @example
 * ```ts
 * const make: MakeRepositories = async () => createSqliteRepositories(freshDatabase());
 * ```
 * @category Test kit
 */
export type MakeRepositories = () => Repositories | Promise<Repositories>;

/**
 * One check of the repository contract.
 *
 * @example
 * ```ts
 * for (const check of repositoryContractChecks) await check.run(() => createMemoryRepositories());
 * ```
 * @category Test kit
 */
export interface ContractCheck {
  /** What the check proves, as a sentence. */
  readonly name: string;
  /** Runs the check on fresh repositories from `make`; throws when the adapter fails it. */
  run(make: MakeRepositories, hooks?: ContractHooks): Promise<void>;
}

/**
 * What a store's own test can give the checks besides repositories.
 *
 * @example
 * ```ts
 * const hooks: ContractHooks = { dump: async (repos) => dumpEveryTable(db) };
 * ```
 * @category Test kit
 */
export interface ContractHooks {
  /**
   * Everything the store holds for these repositories, as text (every row of every table, say):
   * the erasure check searches it for the erased values. Without it the check searches what the
   * ports hand out.
   */
  readonly dump?: (repos: Repositories) => Promise<string>;
}

export const T = Date.UTC(2026, 0, 5);
const stages: StageDef[] = [
  { id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' },
  { id: 'quote', name: 'Quote', probability: 60, outcome: 'open', forecastCategory: 'best_case' },
  { id: 'won', name: 'Won', probability: 100, outcome: 'won', forecastCategory: 'closed' },
];

/** A small workspace: layout `a` with pipelines, layout `b` without; `extra` commands after. */
export function fixtureWorkspace(extra: readonly WorkspaceCommandInput[] = []): Workspace {
  let w = emptyWorkspace();
  for (const command of [
    { type: 'addLayout', layoutId: 'a', name: 'A', stages },
    { type: 'addLayout', layoutId: 'b', name: 'B', stages },
    { type: 'createPipeline', layoutId: 'a', pipelineId: 'p', name: 'P', stages: ['new', 'quote', 'won'], makeDefault: true },
    ...extra,
  ] satisfies WorkspaceCommandInput[]) {
    w = applyWorkspace(w, command, { at: T }).workspace;
  }
  return w;
}

export const ws = fixtureWorkspace();

export function deal(id: string, layoutId = 'a', stageId = 'new', name = `Deal ${id}`): Deal {
  return applyDeal(ws, null, { type: 'createDeal', deal: { id, layoutId, stageId, name } }, { at: T }).deal;
}

export function next(d: Deal, stageId: string): Deal {
  return applyDeal(ws, d, { type: 'moveToStage', stageId }, { at: d.updatedAt + 1000 }).deal;
}

export async function insert(repo: DealRepository, deals: readonly Deal[]): Promise<void> {
  await repo.save(deals.map((d) => ({ deal: d, expectedVersion: null })));
}

export async function expectConflict(promise: Promise<unknown>, ids: readonly string[], what: string): Promise<void> {
  const error = await thrown(promise);
  ensure(isPipelineError(error, 'conflict'), `${what}: expected a PipelineError with code 'conflict', got ${error === null ? 'success' : String(error)}`);
  const named = (error as { details: { ids?: unknown } }).details.ids;
  ensureEqual(Array.isArray(named) ? [...(named as string[])].sort() : named, [...ids].sort(), `${what}: the conflict's details.ids`);
}

/**
 * Every item of a paged read, page by page from the cursor `null`: each page at most `limit`
 * items, and the read must end (`next: null`). `what` names the read in failures.
 */
export async function readAllPages<T>(what: string, limit: number, read: (after: string | null) => Promise<{ items: readonly T[]; next: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await read(after);
    ensure(page.items.length <= limit, `${what} returned ${page.items.length} items for limit ${limit}`);
    for (const item of page.items) out.push(item);
    if (page.next === null) return out;
    after = page.next;
  }
  throw new Error(`repository contract: ${what} never returned next: null`);
}

export async function listAll(repo: DealRepository, q: { layoutId?: string; pipelineId?: string | null; stageId?: string }, limit: number): Promise<string[]> {
  const deals = await readAllPages('list', limit, async (after) => {
    const page = await repo.list({ ...q, after, limit });
    return { items: page.deals, next: page.next };
  });
  return deals.map((d) => d.id);
}

export const ids = (n: number) => Array.from({ length: n }, (_, i) => `deal-${String(i).padStart(3, '0')}`);

/** Tries to write through an object; a frozen object refuses, which is as good as a copy. */
export function tryWrite(write: () => void): void {
  try {
    write();
  } catch {
    // frozen: the write was refused
  }
}
