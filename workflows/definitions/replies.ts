// Input, result and id of replyRecoveryWorkflow, shared by the workflow, the admin API and the
// schedule (`schedule:reply-recovery`, cron `0 */6 * * *`).
export interface ReplyRecoveryInput {
  version: 1;
  /** Only rows received at least this long ago are replayed (newer ones are still being processed in-process). Default 60. */
  minAgeSeconds?: number;
  /** Rows per activity call. Default 50. */
  pageSize?: number;
  /** Upper bound on rows replayed in one run. Default 2000. */
  maxEvents?: number;
  /** Ask Postmark and Twilio for inbound messages that never arrived as webhooks. Default true. */
  pullProviders?: boolean;
}

export interface ReplyRecoveryCounts {
  processed: number;
  ignored: number;
  pending: number;
  failed: number;
  busy: number;
  missing: number;
}

export interface ProviderPullSummary {
  provider: 'postmark' | 'twilio';
  ok: boolean;
  sandbox?: boolean;
  listed?: number;
  recorded?: number;
  error?: string;
}

export interface ReplyRecoveryResult {
  pulled: ProviderPullSummary[];
  /** Outcomes of every row this run processed (pulled messages and replayed rows). */
  counts: ReplyRecoveryCounts;
  replayed: number;
  /** True when maxEvents stopped the replay before the backlog was empty. */
  truncated: boolean;
}

/** `reply-recovery:<tag>`: on-demand runs get a unique tag; the schedule names its own runs. */
export const replyRecoveryWorkflowId = (tag: string) => `reply-recovery:${tag}`;

export interface ReviewSweepInput {
  version: 1;
}
