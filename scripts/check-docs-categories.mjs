// Fails when the API reference lists an export outside every category: typedoc.json sets
// defaultCategory "Other", so an export without `@category` lands there. Run after `typedoc`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '../docs-api/modules');
const pages = ['../index.html', ...readdirSync(dir)].map((f) => join(dir, f));
const uncategorised = pages.filter((page) => readFileSync(page, 'utf8').includes('id="other"'));
if (uncategorised.length > 0) {
  console.error(`exports without @category (listed under "Other") in: ${uncategorised.join(', ')}`);
  process.exit(1);
}
console.log(`every export is in a category (${pages.length} pages checked)`);
