import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dealerApi, json, read } from './server.js';

let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ base, close } = await dealerApi({ requireIfMatch: true, maxBodyBytes: 2_000, authorize: ({ request, operation }) => (operation === 'health' ? null : request.headers.get('x-user') ?? false) }));
  await fetch(`${base}/deals`, json({ id: 'd1', layoutId: 'sales', name: 'SUV' }));
});
afterAll(() => close());

describe('createHttpHandler options', () => {
  it('answers a command without If-Match with 428 when requireIfMatch is on, and runs it with one', async () => {
    const without = await fetch(`${base}/deals/d1/commands`, json({ type: 'moveToStage', stageId: 'test-drive' }));
    expect(without.status).toBe(428);
    expect(await read(without)).toMatchObject({ status: 428, path: 'headers.if-match' });
    const res = await fetch(`${base}/deals/d1/commands`, json({ type: 'moveToStage', stageId: 'test-drive' }, { 'if-match': '"1"' }));
    expect(res.status).toBe(200);
  });

  it('answers 403 when authorize refuses the request', async () => {
    const res = await fetch(`${base}/deals/d1`);
    expect(res.status).toBe(403);
    expect(await read(res)).toMatchObject({ code: 'forbidden', operation: 'getDeal' });
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('answers a body over maxBodyBytes with 413', async () => {
    const res = await fetch(`${base}/deals`, json({ id: 'd2', layoutId: 'sales', name: 'x'.repeat(3_000) }));
    expect(res.status).toBe(413);
    expect((await read(res)).maxBytes).toBe(2_000);
  });
});
