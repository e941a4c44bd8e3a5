#!/usr/bin/env bash
# Packs the package, installs the tarball into a scratch project and imports it as ESM and CJS,
# every entry point, as a host application would: first without vitest (the test kit must load
# without it), then with vitest to run the repository contract suite.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
fast_check=$(node -p "require('./node_modules/fast-check/package.json').version")
vitest=$(node -p "require('./node_modules/vitest/package.json').version")
pg_version=$(node -p "require('./node_modules/pg/package.json').version")
better_sqlite3=$(node -p "require('./node_modules/better-sqlite3/package.json').version")

cd "$scratch"
npm init -y > /dev/null
npm install --no-audit --no-fund --silent "./$tarball" "fast-check@$fast_check" "pg@$pg_version" "better-sqlite3@$better_sqlite3" > /dev/null
if [ -e node_modules/vitest ]; then echo "vitest must not be installed for the first checks" >&2; exit 1; fi

cat > esm.mjs <<'JS'
import { applyWorkspace, emptyWorkspace, isPipelineError, planBulkUpdate } from 'sales-pipelines';
import { createMemoryRepositories } from 'sales-pipelines';
import { arbWorkspace, checkInvariants, repositoryContractChecks } from 'sales-pipelines/testing';
import fc from 'fast-check';
const { workspace } = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'sales', name: 'Sales',
  stages: [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: 0 });
if (workspace.layouts.length !== 1) throw new Error('ESM: addLayout did not apply');
try { applyWorkspace(workspace, { type: 'renameLayout', layoutId: 'x', name: 'y' }, { at: 0 }); } catch (e) { if (!isPipelineError(e, 'not_found')) throw e; }
const [sample] = fc.sample(arbWorkspace(), 1);
if (checkInvariants(sample, [], { now: 0 }).length !== 0) throw new Error('ESM: arbWorkspace broke an invariant');
if (typeof planBulkUpdate !== 'function') throw new Error('ESM: missing exports');
// The contract checks run without vitest.
for (const check of repositoryContractChecks) await check.run(() => createMemoryRepositories());
const refused = await import('sales-pipelines/testing/vitest').then(() => null, (e) => e.code);
if (refused !== 'ERR_MODULE_NOT_FOUND') throw new Error(`ESM: sales-pipelines/testing/vitest without vitest gave ${refused}`);
console.log('esm ok (sales-pipelines/testing without vitest)');
JS

cat > cjs.cjs <<'JS'
const { applyWorkspace, emptyWorkspace, isPipelineError, PipelineError } = require('sales-pipelines');
const { arbScenario, checkInvariants } = require('sales-pipelines/testing');
const fc = require('fast-check');
const { workspace } = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'sales', name: 'Sales',
  stages: [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: 0 });
if (workspace.layouts.length !== 1) throw new Error('CJS: addLayout did not apply');
if (!isPipelineError(new PipelineError('conflict', 'x'), 'conflict')) throw new Error('CJS: isPipelineError');
const [s] = fc.sample(arbScenario({ maxDeals: 3 }), 1);
if (checkInvariants(s.workspace, s.deals, { now: s.now }).length !== 0) throw new Error('CJS: arbScenario broke an invariant');
console.log('cjs ok');
JS

cat > dual.mjs <<'JS'
// One error class from the ESM copy, checked with the CJS copy's guard.
import { createRequire } from 'node:module';
import { PipelineError } from 'sales-pipelines';
const { isPipelineError } = createRequire(import.meta.url)('sales-pipelines');
if (!isPipelineError(new PipelineError('forbidden', 'x'), 'forbidden')) throw new Error('isPipelineError across ESM and CJS copies');
console.log('dual ok');
JS

cat > postgres.mjs <<'JS'
// The PostgreSQL adapter from ESM, with a pg Pool (no server needed to load and adapt it).
import pg from 'pg';
import { PipelineError, isPipelineError } from 'sales-pipelines';
import { createPostgresRepositories, fromPgPool, migratePostgres } from 'sales-pipelines/postgres';
const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
const repos = createPostgresRepositories(fromPgPool(pool), { tenantId: 'acme' });
if (typeof repos.deals.save !== 'function' || typeof migratePostgres !== 'function') throw new Error('ESM: postgres entry incomplete');
try { createPostgresRepositories(null); throw new Error('ESM: no error'); } catch (e) {
  if (!isPipelineError(e, 'invalid_input') || !(e instanceof PipelineError)) throw new Error('ESM: the adapter and the core do not share PipelineError');
}
const deadlocked = createPostgresRepositories({ query: async () => { throw Object.assign(new Error('deadlock'), { code: '40P01' }); } });
await deadlocked.deals.get('x').then(() => { throw new Error('ESM: no error'); }, (e) => { if (!isPipelineError(e, 'conflict')) throw e; });
await pool.end();
console.log('postgres esm ok');
JS

cat > postgres.cjs <<'JS'
const pg = require('pg');
const { isPipelineError, PipelineError } = require('sales-pipelines');
const { createPostgresRepositories, fromPgPool } = require('sales-pipelines/postgres');
const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
createPostgresRepositories(fromPgPool(pool));
try { createPostgresRepositories({}); throw new Error('CJS: no error'); } catch (e) {
  if (!isPipelineError(e, 'invalid_input') || !(e instanceof PipelineError)) throw new Error('CJS: the adapter and the core do not share PipelineError');
}
pool.end().then(() => console.log('postgres cjs ok'));
JS

cat > sqlite.mjs <<'JS'
// The SQLite adapter from ESM: two tenants in one file database, errors from the core's class.
import Database from 'better-sqlite3';
import { createPipelineService, isPipelineError, PipelineError } from 'sales-pipelines';
import { configureSqlite, createSqliteRepositories, migrateSqlite } from 'sales-pipelines/sqlite';
const db = new Database('crm.db');
configureSqlite(db);
if (migrateSqlite(db) !== 6) throw new Error('ESM sqlite: schema version');
const stages = [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }];
for (const tenantId of ['acme', 'globex']) {
  const service = createPipelineService(createSqliteRepositories(db, { tenantId }));
  await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages });
  await service.createDeal({ id: 'd1', layoutId: 'sales', name: `Deal of ${tenantId}` });
}
const acme = createSqliteRepositories(db, { tenantId: 'acme' });
if ((await acme.deals.get('d1')).name !== 'Deal of acme') throw new Error('ESM sqlite: tenant isolation');
const e = await acme.deals.save([{ deal: await acme.deals.get('d1'), expectedVersion: null }]).catch((err) => err);
if (!isPipelineError(e, 'conflict') || !(e instanceof PipelineError)) throw new Error('ESM sqlite: conflict is not the core PipelineError');
const [tail] = await acme.deals.getTails(['d1']);
if (tail.historyStart !== 0 || tail.deal.history.length !== 1) throw new Error('ESM sqlite: getTails');
db.close();
console.log('sqlite esm ok');
JS

cat > sqlite.cjs <<'JS'
const Database = require('better-sqlite3');
const { createPipelineService, PipelineError } = require('sales-pipelines');
const { createSqliteRepositories, migrateSqlite } = require('sales-pipelines/sqlite');
(async () => {
  const db = new Database('crm.db');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db, { tenantId: 'acme' });
  const deal = await createPipelineService(repos).getDeal('d1');
  if (!deal || deal.history.length !== 1) throw new Error('CJS sqlite: the deal written from ESM');
  const e = await repos.deals.save([{ deal, expectedVersion: null }]).catch((err) => err);
  if (!(e instanceof PipelineError) || e.code !== 'conflict') throw new Error('CJS sqlite: conflict is not the core PipelineError');
  db.close();
  console.log('sqlite cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
JS

cat > import.mjs <<'JS'
// The import entry point, as ESM and as CJS.
import { createRequire } from 'node:module';
import { fromHubSpot, toCsv, toStageRows } from 'sales-pipelines/import';
const { fromPipedrive } = createRequire(import.meta.url)('sales-pipelines/import');
const hub = fromHubSpot({ pipelines: [{ id: 'default', label: 'Sales', stages: [{ id: 'new', label: 'New', metadata: { isClosed: 'false', probability: '0.1' } }] }],
  deals: [{ id: '1', properties: { dealname: 'A', dealstage: 'new', pipeline: 'default', createdate: '2024-01-01T00:00:00Z' } }] });
if (!toCsv(toStageRows(hub.deals)).includes('2024-01-01T00:00:00.000Z')) throw new Error('import: HubSpot deal not exported');
if (fromPipedrive({ pipelines: [], stages: [], deals: [] }).deals.length !== 0) throw new Error('import: CJS fromPipedrive');
console.log('import ok');
JS


cat > one-core.cjs <<'JS'
// One core in the CommonJS build: an error thrown through any entry point is an instance of the
// PipelineError of `sales-pipelines`, and a workspace sealed by one entry is not re-validated by another.
const core = require('sales-pipelines');
const { fromHubSpot } = require('sales-pipelines/import');
const { createSqliteRepositories } = require('sales-pipelines/sqlite');
const { createPostgresRepositories } = require('sales-pipelines/postgres');
const { checkInvariants } = require('sales-pipelines/testing');
const { createHttpHandler } = require('sales-pipelines/http');
const thrown = (f) => { try { f(); } catch (e) { return e; } throw new Error('expected a throw'); };
const errors = {
  import: thrown(() => fromHubSpot(null)),
  sqlite: thrown(() => createSqliteRepositories(null)),
  postgres: thrown(() => createPostgresRepositories(null)),
  testing: thrown(() => checkInvariants(null, [], { now: 0 })),
  http: thrown(() => createHttpHandler(null)),
};
for (const [entry, e] of Object.entries(errors)) {
  if (!(e instanceof core.PipelineError)) throw new Error(`CJS: an error from sales-pipelines/${entry} is not instanceof PipelineError: ${e}`);
}
console.log('one core (cjs) ok');
JS

cat > one-core.mjs <<'JS'
import { PipelineError } from 'sales-pipelines';
import { fromHubSpot } from 'sales-pipelines/import';
import { createSqliteRepositories } from 'sales-pipelines/sqlite';
import { createPostgresRepositories } from 'sales-pipelines/postgres';
import { checkInvariants } from 'sales-pipelines/testing';
import { createHttpHandler } from 'sales-pipelines/http';
const thrown = (f) => { try { f(); } catch (e) { return e; } throw new Error('expected a throw'); };
for (const [entry, f] of Object.entries({ import: () => fromHubSpot(null), sqlite: () => createSqliteRepositories(null),
  postgres: () => createPostgresRepositories(null), testing: () => checkInvariants(null, [], { now: 0 }), http: () => createHttpHandler(null) })) {
  if (!(thrown(f) instanceof PipelineError)) throw new Error(`ESM: an error from sales-pipelines/${entry} is not instanceof PipelineError`);
}
console.log('one core (esm) ok');
JS

# Each format defines the error class, and so the identity caches beside it, in one file.
for ext in js cjs; do
  n=$(grep -l -E 'PipelineError = class|class PipelineError' node_modules/sales-pipelines/dist/*.$ext node_modules/sales-pipelines/dist/testing/*.$ext | wc -l)
  if [ "$n" != "1" ]; then echo "dist/*.$ext defines PipelineError in $n files, expected 1" >&2; exit 1; fi
done
echo "one PipelineError per format"

cat > http.mjs <<'JS'
// The HTTP entry point from ESM: the handler over a service on the core, run on a port, called with the client.
import { createMemoryRepositories, createPipelineService, isPipelineError, PipelineError } from 'sales-pipelines';
import { createHttpClient, createHttpHandler, startHttpServer } from 'sales-pipelines/http';
const service = createPipelineService(createMemoryRepositories());
await service.configure({ type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] });
const { url, close } = await startHttpServer(createHttpHandler(service), { port: 0 });
const client = createHttpClient(url);
if ((await client.createDeal({ id: 'd1', layoutId: 'sales', name: 'A' })).version !== 1) throw new Error('ESM http: createDeal');
const e = await client.dispatch('d1', { type: 'moveToStage', stageId: 'nope' }).catch((err) => err);
if (!isPipelineError(e) || !(e instanceof PipelineError)) throw new Error('ESM http: the client does not throw the core PipelineError');
await close();
console.log('http esm ok');
JS

cat > http.cjs <<'JS'
const { createMemoryRepositories, createPipelineService, PipelineError } = require('sales-pipelines');
const { createHttpClient, createHttpHandler } = require('sales-pipelines/http');
(async () => {
  const handler = createHttpHandler(createPipelineService(createMemoryRepositories()));
  const res = await handler(new Request('http://localhost/deals', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }));
  if (res.status !== 415) throw new Error(`CJS http: text/plain gave ${res.status}`);
  const client = createHttpClient('http://localhost', { fetch: (input, init) => handler(new Request(input, init)) });
  const e = await client.getWorkspace().then(() => null, (err) => err);
  if (e !== null) throw e;
  const missing = await client.board('nope').catch((err) => err);
  if (!(missing instanceof PipelineError) || missing.code !== 'not_found') throw new Error('CJS http: errors are not the core PipelineError');
  console.log('http cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
JS

node esm.mjs
node cjs.cjs
node dual.mjs
node postgres.mjs
node postgres.cjs
node sqlite.mjs
node sqlite.cjs
node import.mjs
node one-core.cjs
node one-core.mjs
node http.mjs
node http.cjs

# With vitest: the contract suite from its own entry point, run by the host's vitest.
npm install --no-audit --no-fund --silent "vitest@$vitest" > /dev/null
cat > contract.test.mjs <<'JS'
import { createMemoryRepositories } from 'sales-pipelines';
import { describeRepositoryContract } from 'sales-pipelines/testing/vitest';
describeRepositoryContract('memory (from the tarball)', () => createMemoryRepositories());
JS
npx vitest run contract.test.mjs > vitest.log 2>&1 || { cat vitest.log; exit 1; }
sed 's/\x1b\[[0-9;]*m//g' vitest.log | grep -E 'Tests +[0-9]+ passed' || { cat vitest.log; exit 1; }
echo "vitest ok (sales-pipelines/testing/vitest)"
echo "consumer test passed ($tarball)"
