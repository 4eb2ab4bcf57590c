// Messages of campaignGenerationWorkflow, shared by the workflow and the API.
import { defineQuery } from '@temporalio/workflow';

export const MESSAGING_CHANNELS = ['email', 'linkedin', 'sms', 'voice', 'mail'] as const;
export type MessagingChannel = (typeof MESSAGING_CHANNELS)[number];

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
