// Writes the importers' field mappings into docs/importers.md, from the tables the importers read
// their records through: `npx tsx scripts/deal-field-tables.ts`. The tables in the guide sit
// between `<!-- deal-fields: NAME -->` and `<!-- /deal-fields -->`; test/import/dealFields.test.ts
// fails when they differ from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  HUBSPOT_DEAL_FIELDS, PIPEDRIVE_DEAL_FIELDS, SALESFORCE_DEAL_FIELDS, ZOHO_DEAL_FIELDS, type DealFieldMapping, type MappedDealField,
} from '../src/import.js';

/** The mappings the guide shows, by the name of their export, with the vendor's name. */
export const MAPPINGS: Readonly<Record<string, { vendor: string; fields: DealFieldMapping }>> = {
  HUBSPOT_DEAL_FIELDS: { vendor: 'HubSpot', fields: HUBSPOT_DEAL_FIELDS },
  PIPEDRIVE_DEAL_FIELDS: { vendor: 'Pipedrive', fields: PIPEDRIVE_DEAL_FIELDS },
  SALESFORCE_DEAL_FIELDS: { vendor: 'Salesforce', fields: SALESFORCE_DEAL_FIELDS },
  ZOHO_DEAL_FIELDS: { vendor: 'Zoho CRM', fields: ZOHO_DEAL_FIELDS },
};

export const GUIDE = fileURLToPath(new URL('../docs/importers.md', import.meta.url));

const BLOCK = /(<!-- deal-fields: (\w+) -->\n)[\s\S]*?(<!-- \/deal-fields -->)/g;

/** One mapping as a Markdown table: deal field, the vendor fields in order of preference, how. */
export function renderMapping(name: string): string {
  const mapping = MAPPINGS[name];
  if (!mapping) throw new Error(`docs/importers.md names ${name}, which is not a mapping of sales-pipelines/import`);
  const rows = (Object.keys(mapping.fields) as MappedDealField[]).map((field) => {
    const { from, note } = mapping.fields[field];
    const source = from.length === 0 ? '—' : from.map((k) => `\`${k}\``).join(', else ');
    return `| \`${field}\` | ${source} | ${(note ?? '').replaceAll('|', '\\|')} |`;
  });
  return [`| Deal field | ${mapping.vendor} field | Read as |`, '|---|---|---|', ...rows, ''].join('\n');
}

/** The guide with every mapping table rewritten from the code, and the names of those it holds. */
export function rewriteGuide(text: string): { text: string; names: string[] } {
  const names: string[] = [];
  const out = text.replace(BLOCK, (_all, open: string, name: string, close: string) => {
    names.push(name);
    return `${open}\n${renderMapping(name)}\n${close}`;
  });
  return { text: out, names };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { text, names } = rewriteGuide(readFileSync(GUIDE, 'utf8'));
  writeFileSync(GUIDE, text);
  console.log(`docs/importers.md: ${names.join(', ')}`);
}
