// Custom search attributes every workflow sets so operators can filter in the Web UI.
// Shared by workflows (to set them) and temporal/search-attributes.ts (to register them).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ClientIdKey = defineSearchAttributeKey('ClientId', SearchAttributeType.KEYWORD);
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const LeadIdKey = defineSearchAttributeKey('LeadId', SearchAttributeType.KEYWORD);
export const AlsTierKey = defineSearchAttributeKey('AlsTier', SearchAttributeType.KEYWORD);
export const SkillSlugKey = defineSearchAttributeKey('SkillSlug', SearchAttributeType.KEYWORD);

export const CUSTOM_SEARCH_ATTRIBUTES = [ClientIdKey, CampaignIdKey, LeadIdKey, AlsTierKey, SkillSlugKey];

/** The ClientId of workflows that belong to no tenant (operator self-test, sweeps). */
export const PLATFORM_CLIENT_ID = 'platform';
