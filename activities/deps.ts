// What activities are built from. Tests construct the same object with real parts pointed at
// local fakes (test/harness/stack.ts).
import type { Client as TemporalClient } from '@temporalio/client';
import type { Config } from '../src/config';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { ChannelName, ChannelProvider } from '../src/integrations/channels';
import type { DncrDriver } from '../src/integrations/dncr/dncr';
import type { EnrichmentDrivers } from '../src/integrations/enrichment';
import type { SendFaults } from '../src/engines/outbound/send';
import type { ReplyProcessingDeps } from '../src/engines/replies/process';
import type { BotDeps } from '../src/engines/telegram-bot/deps';
import type { DispatchResult } from '../src/engines/webhooks-out/dispatch';

/**
 * The workflow starts and signals activities make, bound to the Temporal client by the composition
 * module (src/composition.ts) from src/lifecycle: activities sit below it and never import it.
 */
export interface ActivityLifecycle {
  /** Starts an enrichment batch (a repeated start is a no-op). */
  startEnrichment(a: { clientId: string; leadIds: readonly string[]; batchId?: string }): Promise<{ workflowId: string; batchId: string }>;
  /** Starts a campaign's workflow (a repeated start is a no-op), in `resumeFrom`'s state when given. */
  startCampaignWorkflow(c: { clientId: string; id: string }, resumeFrom?: { status: 'active' | 'paused' }): Promise<void>;
  /** Tells a campaign's workflow that leads were added (nothing when it is not running). */
  notifyLeadsAdded(campaignId: string, count: number): Promise<void>;
  /** Tells a client's running sequences that credits were added (those waiting on credits re-check). */
  wakeCreditWaiters(clientId: string): Promise<number>;
  /** Starts deliveries for the events not yet dispatched. */
  dispatchOutbound(opts: { maxEvents?: number }): Promise<DispatchResult>;
  /** What processing an inbox row needs (sequence control over Temporal, the classifier). */
  replyProcessing(): ReplyProcessingDeps;
  /** The Telegram bot's dependencies; null when no bot is configured. */
  telegramBot(): BotDeps | null;
}

export interface ActivityDeps {
  db: Db;
  logger: Logger;
  config: Config;
  /** For activities that start or signal other workflows (enrolment, broadcasts). */
  temporal: TemporalClient;
  taskQueue: string;
  lifecycle: ActivityLifecycle;
  channels: Record<ChannelName, ChannelProvider>;
  dncr: DncrDriver;
  /** HMAC secret for unsubscribe tokens. */
  signingSecret: string;
  /** Base URL of this service as providers and recipients reach it. */
  publicUrl: string;
  /** Lead-enrichment drivers (Apollo, Apify, Clay); built from `config` when absent. */
  enrichment?: EnrichmentDrivers;
  /** Test-only fault injection (e.g. a crash right after the provider accepted a send). */
  faults?: SendFaults;
}
