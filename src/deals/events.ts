import type { JsonValue } from '../model/primitives.js';
import type { ForecastCategory, Outcome } from '../model/stage.js';

/** Fields every deal event carries: its id, which deal, when, by whom, and the version it produces. */
export interface DealEventMeta {
  /** Stable id, unique in the store: `deal/<version>/<index in the command>/<dealId>`. Consumers de-duplicate by it. */
  readonly id: string;
  readonly dealId: string;
  readonly at: number;
  readonly by: string | null;
  readonly version: number;
}

/**
 * Where a deal sits: layout, pipeline (null while the layout has none), stage and its outcome.
 *
 * @example
 * ```ts
 * if (event.type === 'dealStageChanged' && event.from.pipelineId !== event.to.pipelineId) console.log('moved to', event.to.pipelineId);
 * ```
 * @category Deals and rules
 */
export interface DealPosition {
  readonly layoutId: string;
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly outcome: Outcome;
}

/**
 * The deal properties `updateDeal` can change.
 *
 * @example
 * ```ts
 * if (event.type === 'dealUpdated' && 'amount' in event.changes) audit(event.changes.amount);
 * ```
 * @category Deals and rules
 */
export interface DealChanges {
  readonly name?: string;
  readonly amount?: number | null;
  readonly currency?: string | null;
  readonly probability?: number;
  readonly closingDate?: string | null;
  readonly ownerId?: string | null;
  readonly lostReason?: string | null;
}

/**
 * Why a deal changed stage.
 *
 * @example
 * ```ts
 * if (event.type === 'dealStageChanged' && event.reason === 'reopenDeal') console.log('reopened');
 * ```
 * @category Deals and rules
 */
export type StageChangeReason = 'moveToStage' | 'moveToPipeline' | 'closeDeal' | 'reopenDeal';

/**
 * An event of the deal aggregate. Events carry everything `evolveDeal` needs; no workspace is read.
 *
 * @example
 * ```ts
 * service = createPipelineService({ ...repos, onEvents: (events) => events.forEach((e) => e.type === 'dealStageChanged' && notify(e.dealId, e.to.stageId)) });
 * ```
 * @category Deals and rules
 */
export type DealEvent = DealEventMeta &
  (
    | {
        readonly type: 'dealCreated';
        readonly layoutId: string;
        readonly pipelineId: string | null;
        readonly stageId: string;
        readonly name: string;
        readonly amount: number | null;
        readonly currency: string | null;
        readonly probability: number;
        readonly closingDate: string | null;
        readonly ownerId: string | null;
        readonly lostReason: string | null;
        readonly fields: Readonly<Record<string, JsonValue>>;
        readonly forecastCategory: ForecastCategory;
        readonly outcome: Outcome;
        readonly bypassedRules: boolean;
      }
    | {
        readonly type: 'dealStageChanged';
        readonly reason: StageChangeReason;
        readonly from: DealPosition;
        readonly to: DealPosition;
        readonly probability: number;
        readonly forecastCategory: ForecastCategory;
        readonly lostReason: string | null;
        readonly bypassedRules: boolean;
      }
    | {
        readonly type: 'dealUpdated';
        readonly changes: DealChanges;
        readonly fields: Readonly<Record<string, JsonValue>>;
        readonly removeFields: readonly string[];
      }
  );

/**
 * The `type` of a deal event.
 *
 * @example
 * ```ts
 * const kinds: DealEventType[] = ['dealCreated', 'dealStageChanged', 'dealUpdated'];
 * ```
 * @category Deals and rules
 */
export type DealEventType = DealEvent['type'];

/**
 * `deal/<version>/0/` at position `version`: the prefix of every id `dealEventId` makes with
 * index 0. Filled in order without holes, so a lookup never reaches `Array.prototype`.
 */
const PREFIXES: string[] = [];

/** The stable id of the `index`-th event of the command that produced `version` of deal `dealId`. */
export function dealEventId(dealId: string, version: number, index = 0): string {
  // A deal's first event at each version is the common case: its prefix is made once, and the
  // id is one concatenation instead of one per part.
  if (index === 0 && version >= 0 && version < 4096 && (version | 0) === version) {
    while (PREFIXES.length <= version) PREFIXES.push(`deal/${PREFIXES.length}/0/`);
    return PREFIXES[version]! + dealId;
  }
  return `deal/${version}/${index}/${dealId}`;
}
