// All activities, built from their dependencies (createActivities(deps)) so tests pass real
// parts configured for the test rather than mocking activities.
import type { ActivityDeps } from './deps';
import { withLiveness } from './liveness';
import { createCampaignActivities } from './campaign';
import { createCreditActivities } from './credits';
import { createLeadMigrationActivities } from './lead-migration';
import { createEnrichmentActivities } from './enrichment';
import { createReplyActivities } from './replies';
import { createSelfTestActivities } from './self-test';
import { createOutreachSweepActivities } from './outreach-sweep';
import { createIcpDiscoveryActivities } from './icp-discovery';
import { createCampaignGenerationActivities } from './campaign-generation';
import { createSequenceActivities } from './sequence';
import { createSkillRunActivities } from './skill-run';
import { createPlaybookRunActivities } from './playbook-run';
import { createWebhookActivities } from './webhooks-out';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return withLiveness({
    ...createSelfTestActivities(deps.db),
    ...createIcpDiscoveryActivities(deps),
    ...createCampaignGenerationActivities(deps),
    ...createSequenceActivities(deps),
    ...createCampaignActivities(deps),
    ...createOutreachSweepActivities(deps),
    ...createReplyActivities(deps),
    ...createEnrichmentActivities(deps),
    ...createSkillRunActivities(deps),
    ...createPlaybookRunActivities(deps),
    ...createWebhookActivities(deps),
    ...createCreditActivities(deps),
    ...createLeadMigrationActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
