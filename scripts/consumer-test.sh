#!/usr/bin/env bash
# Packs the package, installs the tarball into a scratch project and imports it as ESM and CJS,
# both entry points, as a host application would.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
fast_check=$(node -p "require('./node_modules/fast-check/package.json').version")
vitest=$(node -p "require('./node_modules/vitest/package.json').version")
pg_version=$(node -p "require('./node_modules/pg/package.json').version")

cd "$scratch"
npm init -y > /dev/null
npm install --no-audit --no-fund --silent "./$tarball" "fast-check@$fast_check" "vitest@$vitest" "pg@$pg_version" > /dev/null

cat > esm.mjs <<'JS'
import { applyWorkspace, emptyWorkspace, isPipelineError, planBulkUpdate } from 'sales-pipelines';
import { arbWorkspace, checkInvariants, describeRepositoryContract } from 'sales-pipelines/testing';
import fc from 'fast-check';
const { workspace } = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'sales', name: 'Sales',
  stages: [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: 0 });
if (workspace.layouts.length !== 1) throw new Error('ESM: addLayout did not apply');
try { applyWorkspace(workspace, { type: 'renameLayout', layoutId: 'x', name: 'y' }, { at: 0 }); } catch (e) { if (!isPipelineError(e, 'not_found')) throw e; }
const [sample] = fc.sample(arbWorkspace(), 1);
if (checkInvariants(sample, [], { now: 0 }).length !== 0) throw new Error('ESM: arbWorkspace broke an invariant');
if (typeof planBulkUpdate !== 'function' || typeof describeRepositoryContract !== 'function') throw new Error('ESM: missing exports');
console.log('esm ok');
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

node esm.mjs
node cjs.cjs
node dual.mjs
node postgres.mjs
node postgres.cjs

node import.mjs
echo "consumer test passed ($tarball)"
