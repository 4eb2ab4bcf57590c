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

export interface ActivityDeps {
  db: Db;
  logger: Logger;
  config: Config;
  /** For activities that start or signal other workflows (enrolment, broadcasts). */
  temporal: TemporalClient;
  taskQueue: string;
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
