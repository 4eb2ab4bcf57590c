// Every activity heartbeats while it runs (so a dead worker's attempt is retried after the
// heartbeat timeout), stops when it ends, and keeps its result, its errors and its own progress beats.
import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeat } from '@temporalio/activity';
import { withLiveness } from '../../activities/liveness';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('beats while the activity runs and stops when it returns', async () => {
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const acts = withLiveness({ slow: async (ms: number) => (await wait(ms), 'done') }, 20);
  await expect(env.run(acts.slow, 400)).resolves.toBe('done');
  const during = beats.length;
  expect(during).toBeGreaterThanOrEqual(2);
  await wait(100);
  expect(beats.length).toBe(during);
});

it('passes errors and progress heartbeats through', async () => {
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const acts = withLiveness(
    {
      progress: async () => {
        heartbeat({ page: 1 });
        return 1;
      },
      broken: async () => {
        throw new Error('database unreachable');
      },
    },
    20,
  );
  await expect(env.run(acts.progress)).resolves.toBe(1);
  expect(beats).toContainEqual({ page: 1 });
  await expect(env.run(acts.broken)).rejects.toThrow('database unreachable');
});

it('runs outside an activity (direct calls in unit tests) without beating', async () => {
  const acts = withLiveness({ plain: async (x: number) => x * 2 }, 20);
  await expect(acts.plain(21)).resolves.toBe(42);
});
