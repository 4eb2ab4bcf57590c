// Builds the activities' dependencies from the configuration: real provider drivers where
// credentials are set, sandbox drivers otherwise.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import type { ActivityDeps } from '../activities/deps';
import type { Config } from './config';
import type { Db } from './db/client';
import type { Logger } from './logger';
import { createChannelProviders } from './integrations/channel-registry';
import { PrismaSandboxRecorder } from './integrations/sandbox/prisma-recorder';
import { HttpDncrDriver, SandboxDncrDriver, type DncrDriver } from './integrations/dncr/dncr';
import { normalizePhone } from './engines/compliance/suppression';

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

export function dncrDriver(config: Config): DncrDriver {
  if (config.DNCR_API_KEY && config.DNCR_BASE_URL) return new HttpDncrDriver(config.DNCR_BASE_URL, config.DNCR_API_KEY);
  const registered = (config.DNCR_SANDBOX_REGISTERED ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((p) => normalizePhone(p));
  return new SandboxDncrDriver(registered);
}

export function buildActivityDeps(a: {
  config: Config;
  db: Db;
  logger: Logger;
  temporal: TemporalClient;
  taskQueue: string;
  signingSecret: string;
}): ActivityDeps {
  return {
    db: a.db,
    logger: a.logger,
    config: a.config,
    temporal: a.temporal,
    taskQueue: a.taskQueue,
    channels: createChannelProviders(a.config, new PrismaSandboxRecorder(a.db)),
    dncr: dncrDriver(a.config),
    signingSecret: a.signingSecret,
    publicUrl: a.config.PUBLIC_URL ?? `http://${a.config.HOST}:${a.config.PORT}`,
  };
}
