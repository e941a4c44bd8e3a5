import { isPipelineError, PipelineError } from '../errors.js';
import type { AuthorizationRequest, PipelineServiceOptions } from './types.js';

/** The service's questions to the host's `authorize` function (see {@link Runtime}). */
export interface Authorization {
  /** Whether the host gave an authorize function (without one, only bypassRules is refused). */
  readonly authorizes: boolean;
  /** Throws the request's `forbidden` refusal unless the host allows it. */
  authorize(request: AuthorizationRequest): Promise<void>;
  /** Whether the host allows a request (true when it gave no authorize function and no bypass is asked). */
  allows(request: AuthorizationRequest): Promise<boolean>;
  /**
   * {@link Authorization.allows} without waiting: a boolean when the host's answer is synchronous
   * (so it can be asked inside a storage transaction), else the promise of one.
   */
  ask(request: AuthorizationRequest): boolean | Promise<boolean>;
  /** The `forbidden` error of a refused request. */
  refusal(request: AuthorizationRequest): PipelineError;
}

/** Asks `authorize` (when given) and words its refusals; an authorizer that cannot answer refuses. */
export function createAuthorization(authorizeFn: PipelineServiceOptions['authorize']): Authorization {
  const ask = (request: AuthorizationRequest): boolean | Promise<boolean> => {
    if (!authorizeFn) return !request.bypassRules;
    // Fail closed: an authorizer that cannot answer refuses.
    const failed = (e: unknown): never => {
      if (isPipelineError(e)) throw e;
      throw new PipelineError('forbidden', `authorize failed for ${request.action}; the request is refused`, { action: request.action }, { cause: e });
    };
    let answer: boolean | Promise<boolean>;
    try {
      answer = authorizeFn(request);
    } catch (e) {
      return failed(e);
    }
    if (typeof answer === 'boolean') return answer;
    return Promise.resolve(answer).then((a) => a === true, failed);
  };
  const refusal = (request: AuthorizationRequest): PipelineError => {
    if (request.bypassRules && !authorizeFn) {
      return new PipelineError('forbidden', `${request.action} with bypassRules: needs an authorize function that allows it`, { action: request.action, bypassRules: true });
    }
    const target = request.dealId ? ` deal ${request.dealId}` : '';
    const what = request.bypassRules ? `${request.action}${target} with bypassRules (bypassing the pipeline's rules)` : `${request.action}${target}`;
    return new PipelineError('forbidden', `${request.by ?? 'anonymous'} may not ${what}`, {
      action: request.action,
      by: request.by,
      bypassRules: request.bypassRules,
      ...(request.dealId ? { dealId: request.dealId } : {}),
    });
  };
  const allows = async (request: AuthorizationRequest): Promise<boolean> => ask(request);
  return {
    authorizes: authorizeFn !== undefined,
    ask,
    allows,
    refusal,
    async authorize(request) {
      if (!(await allows(request))) throw refusal(request);
    },
  };
}
