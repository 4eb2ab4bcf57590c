// The worker's health endpoint reports the Temporal worker's state, not merely that the process exists.
import type { State } from '@temporalio/worker';
import { startWorkerHealthServer, type WorkerHealthServer } from '../../src/worker-health';

describe('worker health endpoint', () => {
  let state: State = 'INITIALIZED';
  let server: WorkerHealthServer;
  beforeAll(async () => {
    server = await startWorkerHealthServer({ host: '127.0.0.1', port: 0, state: () => state });
  });
  afterAll(() => server.stop());
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('is ready only while the worker runs', async () => {
    for (const s of ['INITIALIZED', 'RUNNING', 'DRAINING', 'STOPPING', 'STOPPED', 'FAILED'] as State[]) {
      state = s;
      const ready = await get('/health/ready');
      expect([s, ready.status, ready.body]).toEqual([s, s === 'RUNNING' ? 200 : 503, { status: s === 'RUNNING' ? 'ok' : 'unavailable', worker: s }]);
      expect((await get('/health/live')).status).toBe(200);
    }
  });

  it('answers anything else with 404 or 405', async () => {
    expect(await get('/metrics')).toEqual({ status: 404, body: { error: 'not found' } });
    expect((await get('/health/ready', 'POST')).status).toBe(405);
  });
});
