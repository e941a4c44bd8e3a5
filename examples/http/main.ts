// npx tsx examples/http/main.ts: the HTTP API over the memory store, configured as the car dealer
// of examples/dealership.ts. PORT (default 3000) and HOST (default 127.0.0.1) choose where it listens.
import { configurationOf, createMemoryRepositories, createPipelineService, planConfiguration } from '../../src/index.js';
import { dealerWorkspace } from '../dealership.js';
import { startServer } from './server.js';

const service = createPipelineService(createMemoryRepositories());
// The dealer's configuration, applied the way PUT /configuration applies one.
for (const command of planConfiguration(await service.getWorkspace(), configurationOf(dealerWorkspace()))) {
  await service.configure(command, { by: 'admin' });
}
const { url } = await startServer(service, { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log(`sales-pipelines HTTP API on ${url}: GET /deals, GET /pipelines/new-cars/board, POST /deals, GET /reports/dwellStats, …`);
