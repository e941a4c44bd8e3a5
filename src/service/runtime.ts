import { isPipelineError, PipelineError } from '../errors.js';
import type { DealEvent } from '../deals/events.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Id } from '../model/primitives.js';
import type { DealRepository, WorkspaceRepository } from '../ports/repositories.js';
import type { WorkspaceEvent } from '../workspace/events.js';
import type { AuthorizationRequest, PipelineServiceOptions } from './types.js';

/** What the parts of the service share. */
export interface Runtime {
  readonly workspaces: WorkspaceRepository;
  readonly deals: DealRepository;
  readonly now: () => number;
  readonly chunkSize: number;
  authorize(request: AuthorizationRequest): Promise<void>;
  /** Whether the host allows a request (true when it gave no authorize function and no bypass is asked). */
  allows(request: AuthorizationRequest): Promise<boolean>;
  publish(events: readonly (WorkspaceEvent | DealEvent)[]): Promise<void>;
  /** Saves planned deals in one all-or-nothing save (against the version each was read at), then publishes their events. */
  commit(updated: readonly { deal: Deal; events: readonly DealEvent[] }[]): Promise<void>;
  /** Runs `attempt` again after a version conflict, up to maxRetries times. */
  retry<T>(attempt: () => Promise<T>): Promise<T>;
}

export function createRuntime(o: PipelineServiceOptions): Runtime {
  const maxRetries = o.maxRetries ?? 3;
  const clock = o.clock ?? Date.now;
  return {
    workspaces: o.workspace,
    deals: o.deals,
    chunkSize: o.chunkSize ?? 500,
    now: () => {
      const t = clock();
      return t instanceof Date ? t.getTime() : t;
    },
    async allows(request) {
      if (!o.authorize) return !request.bypassRules;
      return (await o.authorize(request)) === true;
    },
    async authorize(request) {
      if (request.bypassRules && !o.authorize) {
        throw new PipelineError('forbidden', `${request.action}: bypassRules needs an authorize function that allows it`, { action: request.action });
      }
      if (!(await this.allows(request))) {
        throw new PipelineError('forbidden', `${request.by ?? 'anonymous'} may not ${request.action}${request.dealId ? ` deal ${request.dealId}` : ''}`, {
          action: request.action,
          by: request.by,
          ...(request.dealId ? { dealId: request.dealId } : {}),
        });
      }
    },
    async publish(events) {
      if (events.length > 0 && o.onEvents) await o.onEvents(events);
    },
    async commit(updated) {
      if (updated.length === 0) return;
      await o.deals.save(updated.map((u) => ({ deal: u.deal, expectedVersion: u.deal.version - 1 })));
      await this.publish(updated.flatMap((u) => u.events));
    },
    async retry(attempt) {
      for (let tries = 0; ; tries++) {
        try {
          return await attempt();
        } catch (e) {
          if (!isPipelineError(e, 'conflict') || tries >= maxRetries) throw e;
        }
      }
    },
  };
}

/** Parses who is acting. */
export function actor(opts: { by?: string | null } | undefined): string | null {
  const by = opts?.by ?? null;
  return by === null ? null : parseWith(Id, by, 'opts.by');
}
