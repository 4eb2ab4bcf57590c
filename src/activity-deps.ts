// Builds the activities' dependencies from the configuration: real provider drivers where
// credentials are set, sandbox drivers otherwise, and the lifecycle operations bound to Temporal.
import type { Client as TemporalClient } from '@temporalio/client';
import type { ActivityDeps, ActivityLifecycle } from '../activities/deps';
import type { Config } from './config';
import type { Db } from './db/client';
import type { Logger } from './logger';
import { createChannelProviders } from './integrations/channel-registry';
import { PrismaSandboxRecorder } from './integrations/sandbox/prisma-recorder';
import { HttpDncrDriver, SandboxDncrDriver, type DncrDriver } from './integrations/dncr/dncr';
import { normalizePhone } from './engines/compliance/suppression';
import { startEnrichment } from './lifecycle/enrichment';
import { notifyLeadsAdded, startCampaignWorkflow } from './lifecycle/campaigns';
import { dispatchOutbound } from './lifecycle/webhook-deliveries';
import { replyProcessingDeps } from './lifecycle/replies';
import { telegramBotDeps } from './lifecycle/telegram-bot';

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
  const { db, temporal, taskQueue, config, logger } = a;
  const lifecycle: ActivityLifecycle = {
    startEnrichment: (batch) => startEnrichment(temporal, taskQueue, batch),
    startCampaignWorkflow: (c, resumeFrom) => startCampaignWorkflow(temporal, taskQueue, c, resumeFrom),
    notifyLeadsAdded: (campaignId, count) => notifyLeadsAdded(temporal, campaignId, count),
    dispatchOutbound: (opts) => dispatchOutbound({ db, temporal, taskQueue, windowSeconds: config.WEBHOOK_RETRY_WINDOW_SECONDS }, opts),
    replyProcessing: () => replyProcessingDeps({ db, temporal, config, logger }),
    telegramBot: () => telegramBotDeps({ db, temporal, taskQueue, config, logger }),
  };
  return {
    db: a.db,
    logger: a.logger,
    config: a.config,
    temporal: a.temporal,
    taskQueue: a.taskQueue,
    lifecycle,
    channels: createChannelProviders(a.config, new PrismaSandboxRecorder(a.db)),
    dncr: dncrDriver(a.config),
    signingSecret: a.signingSecret,
    publicUrl: a.config.PUBLIC_URL ?? `http://${a.config.HOST}:${a.config.PORT}`,
  };
}
