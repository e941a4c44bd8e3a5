// One process of the deliveries-per-event measure (forked by deliveries.ts): a service with delivery
// on, whose consumer appends the id of every event it is handed to a file of its own. On `write` it
// creates and moves deals as fast as it can (each write starts a delivery pass in the background);
// on `drain` it runs passes until one delivers nothing.
import { appendFileSync } from 'node:fs';
import { connect, loadLibrary, type StoreAt } from './stores.js';

export type ToDeliveryWorker =
  | { readonly type: 'write'; readonly at: StoreAt; readonly tenantId: string; readonly worker: number; readonly deals: number; readonly out: string }
  | { readonly type: 'drain' }
  | { readonly type: 'exit' };

export type FromDeliveryWorker = { readonly type: 'written' } | { readonly type: 'drained' } | { readonly type: 'error'; readonly message: string };

const send = (m: FromDeliveryWorker) => process.send!(m);

async function main(): Promise<void> {
  const lib = await loadLibrary(process.env.RACE_SRC || undefined);
  let service: import('../../src/index.js').PipelineService | null = null;
  let close = async () => undefined as void;

  const handle = async (m: ToDeliveryWorker): Promise<void> => {
    if (m.type === 'exit') {
      await service?.idle();
      await close();
      process.exit(0);
    }
    if (m.type === 'drain') {
      while ((await service!.deliverPending()) > 0);
      await service!.idle();
      send({ type: 'drained' });
      return;
    }
    const connection = await connect(lib, m.at);
    close = () => connection.close();
    const onEvents = async (events: readonly { id: string }[]) => appendFileSync(m.out, events.map((e) => `${e.id}\n`).join(''));
    service = lib.index.createPipelineService({ ...connection.repositories(m.tenantId), onEvents });
    for (let i = 0; i < m.deals; i++) {
      const id = `p${m.worker}-${i}`;
      await service.createDeal({ id, layoutId: 'sales', pipelineId: 'new-cars', name: id });
      await service.dispatch(id, { type: 'updateDeal', patch: { amount: 1000 + i } });
      await service.dispatch(id, { type: 'moveToStage', stageId: 'test-drive' });
    }
    send({ type: 'written' });
  };

  process.on('message', (m: ToDeliveryWorker) => {
    handle(m).catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });
}

void main();
