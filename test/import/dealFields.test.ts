import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPipelineError, type Deal } from '../../src/index.js';
import {
  fromHubSpot, fromPipedrive, fromSalesforce, fromZoho,
  HUBSPOT_DEAL_FIELDS, PIPEDRIVE_DEAL_FIELDS, SALESFORCE_DEAL_FIELDS, ZOHO_DEAL_FIELDS,
  type DealFieldMapping, type ImportResult, type MappedDealField,
} from '../../src/import.js';
import { GUIDE, MAPPINGS, rewriteGuide } from '../../scripts/deal-field-tables.js';

type Rec = Record<string, unknown>;

/** A vendor's smallest payload around one deal record, and where a mapped field sits in it. */
interface Vendor {
  readonly fields: DealFieldMapping;
  readonly record: () => Rec;
  readonly run: (record: Rec) => ImportResult;
  readonly set?: (record: Rec, key: string, value: unknown) => void;
}

const vendors: Record<string, Vendor> = {
  HubSpot: {
    fields: HUBSPOT_DEAL_FIELDS,
    record: () => ({ id: '1', properties: { dealstage: 'a', pipeline: 'default', createdate: '2024-01-01T00:00:00Z' } }),
    run: (deal) => fromHubSpot({
      pipelines: { results: [{ id: 'default', label: 'Sales', displayOrder: 0, stages: [{ id: 'a', label: 'A', displayOrder: 0, metadata: { isClosed: 'false', probability: '0.2' } }] }] },
      deals: [deal],
    }),
    set: (record, key, value) => {
      if (!key.startsWith('properties.')) record[key] = value;
      else if (value === undefined) delete (record.properties as Rec)[key.slice(11)];
      else (record.properties as Rec)[key.slice(11)] = value;
    },
  },
  Pipedrive: {
    fields: PIPEDRIVE_DEAL_FIELDS,
    record: () => ({ id: 9, title: 'Hooli', stage_id: 1, pipeline_id: 1, status: 'open', add_time: '2024-01-01T00:00:00Z' }),
    run: (deal) => fromPipedrive({
      pipelines: { data: [{ id: 1, name: 'Sales', order_nr: 1 }] },
      stages: { data: [{ id: 1, name: 'Qualified', order_nr: 1, pipeline_id: 1, deal_probability: 20 }] },
      deals: { data: [deal] },
      flows: {},
    }),
  },
  Salesforce: {
    fields: SALESFORCE_DEAL_FIELDS,
    record: () => ({ Id: '006A', Name: 'Acme', StageName: 'Prospecting', CreatedDate: '2024-01-01T00:00:00.000+0000' }),
    run: (opportunity) => fromSalesforce({
      stages: [{ ApiName: 'Prospecting', SortOrder: 1, IsActive: true, IsClosed: false, IsWon: false, DefaultProbability: 10, ForecastCategoryName: 'Pipeline' }],
      opportunities: [opportunity],
      history: [],
    }),
  },
  Zoho: {
    fields: ZOHO_DEAL_FIELDS,
    record: () => ({ id: '4', Deal_Name: 'Boyle', Stage: 'Qualification', Pipeline: 'Standard', Layout: { id: '1' }, Created_Time: '2024-01-01T00:00:00+00:00' }),
    run: (deal) => fromZoho({
      layouts: [{ id: '1', name: 'Standard' }],
      pipelines: { 1: { pipeline: [{ display_value: 'Standard', default: true, id: '97', maps: [{ actual_value: 'Qualification', id: '68', sequence_number: 1, forecast_type: 'Open' }] }] } },
      deals: { data: [deal] },
      stageHistory: {},
      stageProbabilities: { Qualification: 10 },
    }),
  },
};

/** A value each field can be read as, and what the deal then holds. */
const samples: Partial<Record<MappedDealField, { value: unknown; read: (d: Deal) => unknown; expected: unknown }>> = {
  name: { value: 'Mapped name', read: (d) => d.name, expected: 'Mapped name' },
  amount: { value: 1234, read: (d) => d.amount, expected: 1234 },
  currency: { value: 'EUR', read: (d) => d.currency, expected: 'EUR' },
  closingDate: { value: '2024-06-30', read: (d) => d.closingDate, expected: '2024-06-30' },
  ownerId: { value: 'u7', read: (d) => d.ownerId, expected: 'u7' },
  createdAt: { value: '2023-12-01T00:00:00Z', read: (d) => d.createdAt, expected: Date.parse('2023-12-01T00:00:00Z') },
};

const setField = (v: Vendor, record: Rec, key: string, value: unknown): void => {
  if (v.set) v.set(record, key, value);
  else if (value === undefined) delete record[key];
  else record[key] = value;
};

describe('the importers\' deal field mappings', () => {
  for (const [name, vendor] of Object.entries(vendors)) {
    for (const [field, sample] of Object.entries(samples) as [MappedDealField, NonNullable<(typeof samples)[MappedDealField]>][]) {
      for (const key of vendor.fields[field].from) {
        it(`${name}: reads ${field} from ${key} when it is the only one of ${vendor.fields[field].from.join(', ')} given`, () => {
          const record = vendor.record();
          for (const other of vendor.fields[field].from) setField(vendor, record, other, undefined);
          setField(vendor, record, key, sample.value);
          const { deals } = vendor.run(record);
          expect(deals.map(sample.read)).toEqual([sample.expected]);
        });
      }
    }
  }

  it('prefers the first field of a mapping: Pipedrive\'s owner_id over user_id, Salesforce\'s LastModifiedDate over SystemModstamp', () => {
    const pd = vendors.Pipedrive!;
    expect(pd.run({ ...pd.record(), owner_id: 5, user_id: 6 }).deals[0]!.ownerId).toBe('5');
    const sf = vendors.Salesforce!;
    const updated = sf.run({ ...sf.record(), LastModifiedDate: '2024-02-01T00:00:00.000+0000', SystemModstamp: '2024-03-01T00:00:00.000+0000' });
    expect(updated.deals[0]!.updatedAt).toBe(Date.parse('2024-02-01T00:00:00Z'));
  });

  it('names the field it read in the path of an error', () => {
    const pd = vendors.Pipedrive!;
    const thrown = (() => {
      try {
        pd.run({ ...pd.record(), owner_id: true, user_id: 6 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isPipelineError(thrown, 'invalid_input')).toBe(true);
    expect((thrown as { details: { path: string } }).details.path).toBe('payload.deals.data[0].owner_id');
  });
});

describe('docs/importers.md', () => {
  const text = readFileSync(GUIDE, 'utf8');

  it('shows every importer\'s mapping once, as the code holds it (rewrite with `npx tsx scripts/deal-field-tables.ts`)', () => {
    const { text: rewritten, names } = rewriteGuide(text);
    expect([...names].sort()).toEqual(Object.keys(MAPPINGS).sort());
    expect(text).toBe(rewritten);
  });

  it('finds a table that differs from the code', () => {
    const edited = text.replace('| `name` | `title` |', '| `name` | `name` |');
    expect(edited).not.toBe(text);
    expect(rewriteGuide(edited).text).not.toBe(edited);
  });
});
