// Updates, signals and queries of campaignWorkflow, shared by the workflow and the API.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChannelName } from './channel';

export type CampaignStatus = 'draft' | 'active' | 'paused' | 'completed' | 'cancelled';
export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

export interface CampaignTransition {
  version: 1;
  action: CampaignAction;
}

export interface CampaignState {
  status: CampaignStatus;
  enrolled: number;
  pendingEnrollment: number;
  ended: number;
  leadsByStatus: Record<string, number>;
  touchesSent: Partial<Record<ChannelName, number>>;
}

/** Where each action may start from; the same action again is a no-op, anything else is refused. */
export const TRANSITIONS: Record<CampaignAction, { from: CampaignStatus[]; to: CampaignStatus }> = {
  start: { from: ['draft'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  cancel: { from: ['draft', 'active', 'paused'], to: 'cancelled' },
};

export const transitionUpdate = defineUpdate<CampaignState, [CampaignTransition]>('transition');
/** New enrolments were written for this campaign: enrol them. */
export const leadsAddedSignal = defineSignal<[{ version: 1; count: number }]>('leadsAdded');
export const sequenceEndedSignal = defineSignal<[{ version: 1; leadId: string; outcome: string }]>('sequenceEnded');
export const campaignStateQuery = defineQuery<CampaignState>('state');
