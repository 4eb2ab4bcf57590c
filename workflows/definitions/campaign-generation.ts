// Messages of campaignGenerationWorkflow, shared by the workflow and the API.
import { defineQuery } from '@temporalio/workflow';
import { MESSAGING_ORDER } from '../../src/shared/domain/channels';

export const MESSAGING_CHANNELS = MESSAGING_ORDER;
export type MessagingChannel = (typeof MESSAGING_ORDER)[number];

export type CampaignGenerationStatus = 'running' | 'completed' | 'failed';

export interface CampaignGenerationInput {
  version: 1;
  clientId: string;
  jobId: string;
}

export interface CampaignGenerationProgress {
  status: CampaignGenerationStatus;
  step: string;
  percent: number;
  completedSteps: string[];
  /** Campaign templates saved (ids of campaign_templates rows). */
  templateIds: string[];
  error?: string;
}

export const campaignGenerationProgressQuery = defineQuery<CampaignGenerationProgress>('campaignGenerationProgress');
