// The HMAC signing secret, shared by the API (unsubscribe links, webhook endpoints) and the worker.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';

/** SIGNING_SECRET, or one generated once and kept under DATA_DIR (so links survive restarts). */
export function resolveSigningSecret(config: Config): string {
  if (config.SIGNING_SECRET) return config.SIGNING_SECRET;
  mkdirSync(config.DATA_DIR, { recursive: true });
  const file = join(config.DATA_DIR, 'signing-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  try {
    // 'wx': of processes starting at once on the same DATA_DIR, one writes and the others read it.
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8').trim();
  }
  return secret;
}
