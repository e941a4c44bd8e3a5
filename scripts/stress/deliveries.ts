// Deliveries per event across real processes: `processes` forked processes (4 by default), each a
// service with delivery on against one store (an SQLite file in WAL mode, or a fresh tenant of the
// PostgreSQL server), write concurrently; each process's consumer appends the ids it is handed to a
// file of its own. Afterwards: every stored event delivered at least once, and how many times on
// average (the goal is at most 1.05).
//
//   npx tsx scripts/stress/deliveries.ts --store sqlite [--processes 4] [--deals 300] [--out bench/deliveries.json]
//   SALES_PIPELINES_PG_URL=postgres://… npx tsx scripts/stress/deliveries.ts --store postgres [--out bench/deliveries.json]
// --out adds the result to a JSON list (one entry per store) that bench/report.ts prints against the goal.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dealerCommands } from '../../examples/dealership.js';
import type { FromDeliveryWorker, ToDeliveryWorker } from './deliveryWorker.js';
import { connect, DEFAULT_SRC, freshTenant, loadLibrary, storeFor, type StoreKind } from './stores.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export interface DeliveriesReport {
  readonly store: StoreKind;
  readonly processes: number;
  readonly events: number;
  readonly deliveries: number;
  /** Stored events no consumer was handed. */
  readonly undelivered: number;
  readonly perEvent: number;
  readonly seconds: number;
}

/** Waits for the next message of a child, refusing an error reply. */
function reply(child: ChildProcess, type: FromDeliveryWorker['type']): Promise<void> {
  return new Promise((resolve, reject) => {
    const on = (m: FromDeliveryWorker) => {
      child.off('message', on);
      if (m.type === 'error') reject(new Error(`worker ${child.pid}: ${m.message}`));
      else if (m.type !== type) reject(new Error(`worker ${child.pid}: expected ${type}, got ${m.type}`));
      else resolve();
    };
    child.on('message', on);
  });
}

export async function measureDeliveries(o: { store: StoreKind; processes?: number; deals?: number; src?: string }): Promise<DeliveriesReport> {
  const processes = o.processes ?? 4;
  const deals = o.deals ?? 300;
  const src = o.src ?? DEFAULT_SRC;
  const dir = mkdtempSync(join(tmpdir(), 'deliveries-'));
  const at = storeFor(o.store, dir);
  const lib = await loadLibrary(src);
  const own = await connect(lib, at);
  const tenantId = freshTenant('deliveries');
  const setup = lib.index.createPipelineService({ ...own.repositories(tenantId) });
  for (const command of dealerCommands) await setup.configure(command, { by: 'admin' });
  // The configuration's events count as delivered: the setup service has no consumer.
  const configured = own.repositories(tenantId).outbox!;
  for (let batch = await configured.pending(1000); batch.length > 0; batch = await configured.pending(1000)) await configured.markDelivered(batch.map((e) => e.seq));

  const children = Array.from({ length: processes }, () => fork(join(here, 'deliveryWorker.ts'), [], { cwd: root, execArgv: ['--import', 'tsx'], env: { ...process.env, RACE_SRC: src } }));
  const outs = children.map((_, i) => join(dir, `received-${i}.txt`));
  const started = Date.now();
  try {
    await Promise.all(children.map((child, i) => {
      const done = reply(child, 'written');
      child.send({ type: 'write', at, tenantId, worker: i, deals, out: outs[i]! } satisfies ToDeliveryWorker);
      return done;
    }));
    await Promise.all(children.map((child) => {
      const done = reply(child, 'drained');
      child.send({ type: 'drain' } satisfies ToDeliveryWorker);
      return done;
    }));
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const param = o.store === 'sqlite' ? '?' : '$1';
    const stored = (await own.query<{ event_id: string }>(`SELECT event_id FROM sp_outbox WHERE tenant_id = ${param} AND deal_id IS NOT NULL`, [tenantId])).map((r) => r.event_id);
    const received = outs.flatMap((f) => {
      try {
        return readFileSync(f, 'utf8').split('\n').filter((line) => line !== '');
      } catch {
        return [];
      }
    });
    const seen = new Set(received);
    const undelivered = stored.filter((id) => !seen.has(id)).length;
    return { store: o.store, processes, events: stored.length, deliveries: received.length, undelivered, perEvent: Math.round((received.length / stored.length) * 1000) / 1000, seconds };
  } finally {
    for (const child of children) child.send({ type: 'exit' } satisfies ToDeliveryWorker);
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await own.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' }, processes: { type: 'string', default: '4' }, deals: { type: 'string', default: '300' }, src: { type: 'string' }, out: { type: 'string' } } });
  const report = await measureDeliveries({ store: values.store === 'postgres' ? 'postgres' : 'sqlite', processes: Number(values.processes), deals: Number(values.deals), ...(values.src ? { src: resolve(values.src) } : {}) });
  console.log(JSON.stringify(report));
  if (values.out) {
    const earlier = existsSync(values.out) ? (JSON.parse(readFileSync(values.out, 'utf8')) as DeliveriesReport[]) : [];
    writeFileSync(values.out, `${JSON.stringify([...earlier.filter((r) => r.store !== report.store), report], null, 2)}\n`);
  }
  process.exitCode = report.undelivered === 0 && report.perEvent <= 1.05 ? 0 : 1;
}
