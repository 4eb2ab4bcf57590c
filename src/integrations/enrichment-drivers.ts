// Picks each enrichment driver from the configuration: the real provider when its credentials (and
// target: Apify actor, Clay webhook) are configured, its sandbox twin otherwise.
import type { Config } from '../config';
import { ApolloEnrichment, SandboxApolloEnrichment } from './apollo/apollo';
import { ApifyEnrichment, SandboxApifyEnrichment } from './apify/enrichment';
import { ClayEnrichment, SandboxClayEnrichment } from './clay/clay';
import type { EnrichmentDrivers } from './enrichment';

type EnrichmentConfig = Pick<
  Config,
  | 'APOLLO_API_KEY'
  | 'APOLLO_BASE_URL'
  | 'APIFY_TOKEN'
  | 'APIFY_BASE_URL'
  | 'APIFY_ENRICHMENT_ACTOR'
  | 'APIFY_ENRICHMENT_TIMEOUT_SECS'
  | 'CLAY_API_KEY'
  | 'CLAY_BASE_URL'
  | 'CLAY_ENRICHMENT_WEBHOOK_ID'
>;

export function createEnrichmentDrivers(config: EnrichmentConfig): EnrichmentDrivers {
  return {
    apollo: config.APOLLO_API_KEY ? new ApolloEnrichment({ apiKey: config.APOLLO_API_KEY, baseUrl: config.APOLLO_BASE_URL }) : new SandboxApolloEnrichment(),
    // APIFY_TOKEN alone may be there for the ICP scraper; enrichment also needs its actor.
    apify:
      config.APIFY_TOKEN && config.APIFY_ENRICHMENT_ACTOR
        ? new ApifyEnrichment({
            token: config.APIFY_TOKEN,
            actor: config.APIFY_ENRICHMENT_ACTOR,
            baseUrl: config.APIFY_BASE_URL,
            timeoutSecs: config.APIFY_ENRICHMENT_TIMEOUT_SECS,
          })
        : new SandboxApifyEnrichment(),
    clay:
      config.CLAY_API_KEY && config.CLAY_ENRICHMENT_WEBHOOK_ID
        ? new ClayEnrichment({ apiKey: config.CLAY_API_KEY, webhookId: config.CLAY_ENRICHMENT_WEBHOOK_ID, baseUrl: config.CLAY_BASE_URL })
        : new SandboxClayEnrichment(),
  };
}
