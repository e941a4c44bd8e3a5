// One process of the in-use race (forked by inUseRace.ts). Per round: opens the tenant, loads the
// workspace (so that the round measures commands, not start-up), says it is ready, and on `go`
// runs its part: the configuration change, or a dealer's turns. Replies with the outcomes.
import { connect, loadLibrary, type Connection, type StoreAt } from './stores.js';
import { outcome, scenarios } from './raceScenarios.js';

export type ToWorker =
  | { readonly type: 'round'; readonly at: StoreAt; readonly tenantId: string; readonly scenario: number; readonly role: 'change' | number; readonly turns: number }
  | { readonly type: 'go' }
  | { readonly type: 'exit' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly outcomes: string[] }
  | { readonly type: 'error'; readonly message: string };

const send = (m: FromWorker) => process.send!(m);

async function main(): Promise<void> {
  const lib = await loadLibrary(process.env.RACE_SRC || undefined);
  let connection: Connection | null = null;
  let go: (() => void) | null = null;
  process.on('message', (m: ToWorker) => {
    if (m.type === 'go') go?.();
    else if (m.type === 'exit') void connection?.close().finally(() => process.exit(0));
    else void round(m).catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });

  async function round(m: Extract<ToWorker, { type: 'round' }>): Promise<void> {
    connection ??= await connect(lib, m.at);
    const service = lib.index.createPipelineService({ ...connection.repositories(m.tenantId) });
    await service.getWorkspace();
    const started = new Promise<void>((resolve) => (go = resolve));
    send({ type: 'ready' });
    await started;
    go = null;
    const scenario = scenarios[m.scenario]!;
    const outcomes: string[] = [];
    if (m.role === 'change') outcomes.push(await outcome(lib, () => scenario.change(service, lib)));
    else for (let k = 0; k < m.turns; k++) for (const command of scenario.turn(service, m.role, k)) outcomes.push(await outcome(lib, command));
    send({ type: 'done', outcomes });
  }
}

void main();
