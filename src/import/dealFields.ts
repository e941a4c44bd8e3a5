import type { Obj } from './read.js';

// Which vendor field becomes which deal field, once per importer. The importers read their records
// through these tables, and docs/importers.md shows them as generated tables (a test compares the
// two), so the mapping is written here and nowhere else.

/**
 * The deal fields an importer fills from a vendor record.
 *
 * @example
 * ```ts
 * const field: MappedDealField = 'closingDate';
 * ```
 * @category Importers
 */
export type MappedDealField =
  | 'id' | 'name' | 'layoutId' | 'pipelineId' | 'stageId' | 'amount' | 'currency'
  | 'closingDate' | 'probability' | 'ownerId' | 'lostReason' | 'createdAt' | 'updatedAt';

/**
 * Where one deal field comes from in a vendor's record.
 *
 * @example
 * ```ts
 * const owner: VendorField = { from: ['owner_id', 'user_id'], note: 'the id of `{ id }` or the id itself' };
 * ```
 * @category Importers
 */
export interface VendorField {
  /**
   * The vendor's fields, in order of preference: the first one the record holds (neither absent
   * nor null) is read. Dotted names are paths in the record (`properties.dealname`). Empty when
   * the value does not come from a field of the record (`note` says where it comes from).
   */
  readonly from: readonly string[];
  /** How the value is read, where it is more than a copy. */
  readonly note?: string;
}

/**
 * An importer's field mapping: for every deal field, the vendor fields it is read from.
 *
 * @example
 * ```ts
 * const requested = Object.values(HUBSPOT_DEAL_FIELDS).flatMap((f) => f.from).filter((k) => k.startsWith('properties.'));
 * ```
 * @category Importers
 */
export type DealFieldMapping = { readonly [F in MappedDealField]: VendorField };

/**
 * How {@link fromHubSpot} and {@link streamHubSpot} fill a deal from a HubSpot deal record (CRM v3;
 * in a legacy v1 record each `properties.x` is read from `properties.x.value`).
 *
 * @example
 * ```ts
 * HUBSPOT_DEAL_FIELDS.closingDate.from; // [ 'properties.closedate' ]
 * ```
 * @category Importers
 */
export const HUBSPOT_DEAL_FIELDS = {
  id: { from: ['id', 'dealId'], note: '`dealId` in a legacy v1 record' },
  name: { from: ['properties.dealname'] },
  layoutId: { from: [], note: 'always `deals`: HubSpot has no layouts' },
  pipelineId: { from: ['properties.pipeline'], note: 'else the pipeline listing the deal\'s stage, else the default pipeline' },
  stageId: { from: ['properties.dealstage'], note: 'a deal without one is left out' },
  amount: { from: ['properties.amount'] },
  currency: { from: ['properties.deal_currency_code'], note: 'else `options.defaultCurrency`, else none' },
  closingDate: { from: ['properties.closedate'], note: 'the UTC calendar date of the instant' },
  probability: { from: [], note: 'the stage\'s `metadata.probability`, a fraction (`"0.2"` → 20)' },
  ownerId: { from: ['properties.hubspot_owner_id'] },
  lostReason: { from: ['properties.closed_lost_reason'] },
  createdAt: { from: ['properties.createdate', 'createdAt'] },
  updatedAt: { from: ['properties.hs_lastmodifieddate', 'updatedAt'] },
} as const satisfies DealFieldMapping;

/**
 * How {@link fromPipedrive} and {@link streamPipedrive} fill a deal from a Pipedrive deal record.
 *
 * @example
 * ```ts
 * PIPEDRIVE_DEAL_FIELDS.amount.from; // [ 'value' ]
 * ```
 * @category Importers
 */
export const PIPEDRIVE_DEAL_FIELDS = {
  id: { from: ['id'] },
  name: { from: ['title'] },
  layoutId: { from: [], note: 'always `deals`: Pipedrive has no layouts' },
  pipelineId: { from: ['pipeline_id'], note: 'else the pipeline of the stage' },
  stageId: { from: ['stage_id'], note: '`status` won or lost puts the deal in the stage `won` or `lost`' },
  amount: { from: ['value'] },
  currency: { from: ['currency'] },
  closingDate: { from: ['expected_close_date'] },
  probability: { from: ['probability'], note: 'open deals only; else the stage\'s `deal_probability`' },
  ownerId: { from: ['owner_id', 'user_id'], note: 'the `id` of an object, or the id itself' },
  lostReason: { from: ['lost_reason'], note: 'lost deals only' },
  createdAt: { from: ['add_time'], note: 'else the flow\'s `add_time` row' },
  updatedAt: { from: ['update_time'] },
} as const satisfies DealFieldMapping;

/**
 * How {@link fromSalesforce} and {@link streamSalesforce} fill a deal from an `Opportunity` record.
 *
 * @example
 * ```ts
 * SALESFORCE_DEAL_FIELDS.closingDate.from; // [ 'CloseDate' ]
 * ```
 * @category Importers
 */
export const SALESFORCE_DEAL_FIELDS = {
  id: { from: ['Id'] },
  name: { from: ['Name'] },
  layoutId: { from: [], note: 'always `Opportunity`' },
  pipelineId: { from: ['RecordTypeId'], note: 'the sales process of the record type; the standard pipeline without one' },
  stageId: { from: ['StageName'] },
  amount: { from: ['Amount'] },
  currency: { from: ['CurrencyIsoCode'] },
  closingDate: { from: ['CloseDate'] },
  probability: { from: ['Probability'], note: 'a percentage' },
  ownerId: { from: ['OwnerId'] },
  lostReason: { from: ['Loss_Reason__c'], note: 'a custom field some orgs add' },
  createdAt: { from: ['CreatedDate'] },
  updatedAt: { from: ['LastModifiedDate', 'SystemModstamp'] },
} as const satisfies DealFieldMapping;

/**
 * How {@link fromZoho} and {@link streamZoho} fill a deal from a Zoho CRM Deals record.
 *
 * @example
 * ```ts
 * ZOHO_DEAL_FIELDS.name.from; // [ 'Deal_Name' ]
 * ```
 * @category Importers
 */
export const ZOHO_DEAL_FIELDS = {
  id: { from: ['id'] },
  name: { from: ['Deal_Name'] },
  layoutId: { from: ['Layout'], note: 'the `id` of `{ id }`; the first layout when missing or unknown' },
  pipelineId: { from: ['Pipeline'], note: 'by name or `{ name, id }`; the default pipeline when unknown' },
  stageId: { from: ['Stage'], note: 'by name, to the stage\'s id; a deal in the empty stage `None` is left out' },
  amount: { from: ['Amount'] },
  currency: { from: ['Currency'] },
  closingDate: { from: ['Closing_Date'] },
  probability: { from: ['Probability'], note: 'a percentage' },
  ownerId: { from: ['Owner'], note: 'the `id` of `{ id }`, or the id itself' },
  lostReason: { from: ['Reason_For_Loss__s', 'Reason_For_Loss'] },
  createdAt: { from: ['Created_Time'], note: 'the offset is kept' },
  updatedAt: { from: ['Modified_Time'] },
} as const satisfies DealFieldMapping;

/** A mapping entry read from the record's own fields. */
export type ReadField = VendorField & { readonly from: readonly [string, ...string[]] };

/**
 * Reads the mapped fields of one record: the first of `field.from` the record holds (neither
 * absent nor null), else the first (whose absence the value readers then report or default).
 * One object per record and no other allocation: the importers read millions of fields.
 */
export class RecordFields {
  constructor(
    protected readonly record: Obj,
    protected readonly at: string,
  ) {}

  /** The value of `key` in the record. */
  protected get(key: string): unknown {
    return this.record[key];
  }

  /** The path of `key` in the payload. */
  protected pathOf(key: string): string {
    return `${this.at}.${key}`;
  }

  /** The field a mapped deal field is read from. */
  key(field: ReadField): string {
    const { from } = field;
    if (from.length > 1) {
      for (const key of from) {
        const v = this.get(key);
        if (v !== undefined && v !== null) return key;
      }
    }
    return from[0];
  }

  value(field: ReadField): unknown {
    return this.get(this.key(field));
  }

  path(field: ReadField): string {
    return this.pathOf(this.key(field));
  }
}

/** The mapped fields of `record`, at `path` in the payload. */
export function recordFields(record: Obj, path: string): RecordFields {
  return new RecordFields(record, path);
}

/** The value of a mapped field in a record, where its path is not needed. */
export function fieldValue(record: Obj, field: ReadField): unknown {
  for (const key of field.from) {
    const v = record[key];
    if (v !== undefined && v !== null) return v;
  }
  return record[field.from[0]];
}
