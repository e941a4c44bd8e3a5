import type { JsonValue } from '../model/primitives.js';
import type { ForecastCategory, Outcome } from '../model/stage.js';
import type { ImportWarning } from './types.js';

// The vendor-neutral form every importer reads its payload into; `assemble` turns it into a
// workspace and deals that keep the model's invariants.

export interface DraftStage {
  readonly id: string;
  readonly name: string;
  readonly probability: number;
  readonly outcome: Outcome;
  readonly forecastCategory: ForecastCategory;
  readonly rotAfterDays?: number;
  /** Deleted or archived in the CRM: kept only when a deal or its history names it. */
  readonly deleted: boolean;
  readonly path: string;
}

export interface DraftPipelineStage {
  readonly stageId: string;
  readonly probability?: number;
  readonly rotAfterDays?: number;
}

export interface DraftPipeline {
  readonly id: string;
  readonly name: string;
  readonly stages: readonly DraftPipelineStage[];
  readonly standard: boolean;
  readonly isDefault: boolean;
  /** Deleted or archived in the CRM: kept only while a deal is in it. */
  readonly deleted: boolean;
  readonly path: string;
}

export interface DraftLayout {
  readonly id: string;
  readonly name: string;
  /** The Stage picklist, in display order. */
  readonly stages: readonly DraftStage[];
  readonly pipelines: readonly DraftPipeline[];
  /** Names of stages that only history knows (stage ids the configuration no longer lists). */
  readonly stageNames?: ReadonlyMap<string, string>;
}

export interface DraftVisit {
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly at: number;
  readonly by: string | null;
  /** The probability the vendor recorded on this history row, when it did. */
  readonly probability?: number;
}

/** One reported value of a tracked field: set to `to` at `at` (from `from`, when the vendor says). */
export interface Point<V> {
  readonly at: number;
  readonly by: string | null;
  readonly to: V;
  readonly from?: V;
}

export interface DraftDeal {
  /** JSON path of the deal in the payload, for warnings. */
  readonly path: string;
  readonly id: string;
  readonly layoutId: string;
  readonly name: string;
  readonly currency: string | null;
  readonly ownerId: string | null;
  readonly lostReason: string | null;
  readonly fields: Record<string, JsonValue>;
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly amount: number | null;
  readonly closingDate: string | null;
  /** The deal's own probability when the vendor reports one; null: its stage's. */
  readonly probability: number | null;
  /** The vendor's creation instant, used when there is no history. */
  readonly createdAt: number | null;
  readonly updatedAt: number | null;
  readonly visits: readonly DraftVisit[];
  readonly amounts: readonly Point<number | null>[];
  readonly closingDates: readonly Point<string | null>[];
  readonly probabilities: readonly Point<number>[];
  /** Payload paths of the deal's fields (by the deal's field name, such as `name`), for warnings. */
  readonly sources?: Readonly<Record<string, string>>;
}

/** Collects warnings; each importer owns one. */
export class Warnings {
  readonly list: ImportWarning[] = [];
  private readonly seen = new Set<string>();

  add(code: ImportWarning['code'], path: string, message: string): void {
    this.list.push({ code, path, message });
  }

  /** The warnings added since the last call (a streaming import hands them out page by page). */
  take(): ImportWarning[] {
    return this.list.splice(0);
  }

  /** Adds a warning once per key (a stage kept, a zone assumed for a whole list). */
  once(key: string, code: ImportWarning['code'], path: string, message: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.add(code, path, message);
  }
}
