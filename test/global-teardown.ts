import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis.__AOS_HARNESS__;
  if (!g) return;
  await g.temporal?.teardown();
  await g.pg?.stop();
  rmSync(g.dir, { recursive: true, force: true });
}
