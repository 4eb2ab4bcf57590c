// Input, signals and queries of leadSequenceWorkflow, shared by the workflow, the API and the webhook
// processors (so names are never string literals scattered around).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChannelName } from './channel';

export type StopReason =
  | 'reply'
  | 'bounce'
  | 'unsubscribe'
  | 'complaint'
  | 'converted'
  | 'not_interested'
  | 'wrong_person'
  // A scheduling tool (or a person) booked a meeting with the lead: the outreach did its job.
  | 'meeting_booked'
  | 'campaign_cancelled'
  | 'lead_removed'
  | 'suppressed';

export interface StopSignal {
  version: 1;
  /** Provider event id or similar, so a redelivered event is applied once. */
  eventId: string;
  reason: StopReason;
  channel?: ChannelName;
  detail?: string;
}

export interface OutOfOfficeSignal {
  version: 1;
  eventId: string;
  /** The lead's return date (YYYY-MM-DD); the sequence resumes one business day after it. */
  returnDate: string;
}

export type ApprovalDecision =
  | { version: 1; approvalId: string; decision: 'approved'; decidedBy: string }
  | { version: 1; approvalId: string; decision: 'rejected'; decidedBy: string; note?: string }
  | {
      version: 1;
      approvalId: string;
      decision: 'edited';
      decidedBy: string;
      content: { subject?: string; text: string };
    };

export const stopSignal = defineSignal<[StopSignal]>('stop');
export const outOfOfficeSignal = defineSignal<[OutOfOfficeSignal]>('outOfOffice');
export const approvalSignal = defineSignal<[ApprovalDecision]>('approval');
/** Sent by the campaign when it resumes, so sequences waiting on "paused" re-check at once. */
export const campaignResumedSignal = defineSignal<[]>('campaignResumed');
/** Sent after a top-up or a plan change, so sequences waiting on "no_credits" re-check at once. */
export const creditsAddedSignal = defineSignal<[]>('creditsAdded');

export type TimelineStatus = 'planned' | 'waiting' | 'awaiting_approval' | 'sent' | 'skipped' | 'drafted' | 'cancelled';

export type WaitReason =
  | 'schedule'
  | 'outside_hours'
  | 'weekend'
  | 'holiday'
  | 'daily_cap'
  | 'campaign_paused'
  | 'subscription_inactive'
  | 'no_credits'
  | 'out_of_office'
  | 'approval';

export interface TimelineEntry {
  touch: number;
  channel: ChannelName;
  kind: string;
  status: TimelineStatus;
  /** Why it waits / was skipped; null when sent. */
  reason: string | null;
  /** When the entry last changed (workflow time, ISO). */
  at: string;
  /** For waits: until when. */
  until?: string;
  providerMessageId?: string;
}

export interface SequenceState {
  status: 'running' | 'paused_ooo' | 'completed' | 'stopped';
  stopReason?: StopReason;
  currentTouch: number;
  timeline: TimelineEntry[];
  /** The campaign sequence version the lead is on (changes with a migration). */
  sequenceVersion?: number;
}

export const timelineQuery = defineQuery<SequenceState>('timeline');

export interface SequenceTouchPlan {
  number: number;
  day: number;
  channel: ChannelName;
  kind: string;
  threadWith?: number;
  fallback?: { channel: ChannelName; kind: string; threadWith?: number };
}

export interface LeadSequenceInput {
  version: 1;
  clientId: string;
  campaignId: string;
  leadId: string;
  sequenceVersion: number;
  permissionMode: 'autopilot' | 'copilot' | 'manual';
  tier: string | null;
  touches: SequenceTouchPlan[];
  /** Set when the outreach sweep restarts a failed run: the first run's start, so touches keep their days. */
  startedAt?: string;
}

/**
 * Moves a running sequence to a newer version of its campaign's sequence: touches already attempted
 * (sent, skipped, drafted, or under way: waiting for a window, a cap or an approval) stay as they
 * are; from the first touch not yet attempted the lead follows the new version's plan and copy
 * (days counted from the lead's original start). Refused when the sequence has ended or is on a
 * newer version; asking again for the version it is on (or about to move to) changes nothing.
 */
export interface MigrateSequenceInput {
  version: 1;
  sequenceVersion: number;
  /** That version's plan. */
  touches: SequenceTouchPlan[];
}

export interface MigrateSequenceResult {
  /** The version the sequence was on when the update arrived. */
  from: number;
  to: number;
}

export const migrateSequenceUpdate = defineUpdate<MigrateSequenceResult, [MigrateSequenceInput]>('migrateSequence');

/** leadSequenceWorkflow's signature, for starting it by name without importing the workflow file. */
export type LeadSequenceWorkflow = (input: LeadSequenceInput) => Promise<SequenceState>;
