// How every workflow's activities retry, in one place. Transient failures (database unreachable,
// provider 5xx/429/timeouts, DNS, connection resets, Temporal unavailable) retry without an
// attempt limit, backing off to a few minutes: an outage of hours delays work, it never fails it.
// Only failures that can never succeed stop retrying, and they are named here by type:
// activities and engines throw `ApplicationFailure` with one of these types (nonRetryable), and
// the policies below list them again so a failure of a listed type is never retried even when
// thrown without the flag. test/temporal/retry-policy.test.ts checks that every non-retryable
// failure thrown in the code base names a type from this list.
import type { ActivityOptions, LocalActivityOptions, RetryPolicy } from '@temporalio/common';

/** Types of failures that retrying cannot fix. Engines keep equal constants (they may not import this). */
export const FailureType = {
  // Missing or invalid records and inputs.
  NotFound: 'NotFound',
  ClientNotFound: 'ClientNotFound',
  JobNotFound: 'JobNotFound',
  InvalidInput: 'InvalidInput',
  InvalidSequence: 'InvalidSequence',
  InvalidAlsWeights: 'InvalidAlsWeights',
  PipelineStepMissing: 'PipelineStepMissing',
  IcpNotConfirmed: 'IcpNotConfirmed',
  IcpNotReady: 'IcpNotReady',
  IcpScrapeFailed: 'IcpScrapeFailed',
  // AI (src/engines/ai/errors.ts, src/engines/skills, src/engines/skill-runs). AIUnavailable is
  // the retryable one and is deliberately absent.
  AIBudgetExceeded: 'AIBudgetExceeded',
  AIOutputInvalid: 'AIOutputInvalid',
  AIRequestRejected: 'AIRequestRejected',
  AIClientNotFound: 'AIClientNotFound',
  AINotConfigured: 'AINotConfigured',
  SkillRunInvalid: 'SkillRunInvalid',
  SkillInputInvalid: 'SkillInputInvalid',
  SkillOutputInvalid: 'SkillOutputInvalid',
  // Outbound deliveries the receiver refuses for good.
  CallbackRefused: 'CallbackRefused',
  CallbackRejected: 'CallbackRejected',
  /** src/integrations/telegram/errors.ts: a 4xx from the Bot API (blocked bot, bad chat). */
  TelegramPermanentError: 'TelegramPermanentError',
  /** src/integrations/channels.ts: a provider rejected the recipient for good. */
  PermanentSendError: 'PermanentSendError',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

export const NON_RETRYABLE_ERROR_TYPES: string[] = Object.values(FailureType);

/**
 * Retry until it works or fails for good: 1 s, 2 s, 4 s … capped at 5 minutes, no attempt limit.
 * After a 2-hour outage the work resumes within 5 minutes of the cause going away.
 */
export const RETRY_UNTIL_FIXED: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
  // No maximumAttempts: unset means unlimited (the SDK refuses 0).
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
};

/**
 * Every activity heartbeats while it runs (activities/index.ts wraps each one; long ones also
 * report progress), so an attempt stranded by a dead worker is retried after this, not after
 * its start-to-close timeout.
 */
export const HEARTBEAT_TIMEOUT = '20 seconds';

/** Short database/provider steps (one touch, one status write). */
export const SHORT_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: RETRY_UNTIL_FIXED,
};

/** Pages, sweeps, scraping and Claude calls: long bound, liveness through heartbeats. */
export const LONG_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: RETRY_UNTIL_FIXED,
};

/**
 * Local activities: same unlimited policy. Retries past the local threshold become workflow
 * timers, so a long outage costs a timer per backoff, not a worker slot.
 */
export const LOCAL_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '1 minute',
  retry: RETRY_UNTIL_FIXED,
};
