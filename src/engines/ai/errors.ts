// The AI engine's failures, as Temporal ApplicationFailures so an activity that lets them through
// gets the right retry behaviour without a wrapper: budget and validation failures are
// non-retryable; rate limits and server errors stay retryable (with the API's Retry-After).
import { ApplicationFailure } from '@temporalio/common';
import { ClaudeRequestError } from '../../integrations/anthropic';

export const AI_BUDGET_EXCEEDED = 'AIBudgetExceeded';
export const AI_OUTPUT_INVALID = 'AIOutputInvalid';
export const AI_REQUEST_REJECTED = 'AIRequestRejected';
export const AI_UNAVAILABLE = 'AIUnavailable';
export const AI_CLIENT_NOT_FOUND = 'AIClientNotFound';

export const NON_RETRYABLE_AI_ERRORS = [AI_BUDGET_EXCEEDED, AI_OUTPUT_INVALID, AI_REQUEST_REJECTED, AI_CLIENT_NOT_FOUND];

export interface BudgetDetails {
  clientId: string;
  budgetUsd: number;
  spentUsd: number;
  day: string;
}

export function budgetExceeded(d: BudgetDetails): ApplicationFailure {
  return ApplicationFailure.create({
    type: AI_BUDGET_EXCEEDED,
    nonRetryable: true,
    message:
      `AI daily budget exceeded for client ${d.clientId}: spent $${d.spentUsd.toFixed(4)} of ` +
      `$${d.budgetUsd.toFixed(2)} on ${d.day} (UTC); no more Claude calls until 00:00 UTC or until the budget is raised`,
    details: [d],
  });
}

export function outputInvalid(tool: string, attempts: number, error: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: AI_OUTPUT_INVALID,
    nonRetryable: true,
    message: `Claude's ${tool} output was invalid after ${attempts} attempt(s): ${error}`,
    details: [{ tool, attempts, error }],
  });
}

/** A Claude API failure: retryable ones keep the API's Retry-After as the next retry delay. */
export function requestFailure(err: unknown): ApplicationFailure {
  const e = err instanceof ClaudeRequestError ? err : new ClaudeRequestError(String(err), undefined, true);
  if (!e.retryable) {
    return ApplicationFailure.create({ type: AI_REQUEST_REJECTED, nonRetryable: true, message: e.message, details: [{ status: e.status }] });
  }
  return ApplicationFailure.create({
    type: AI_UNAVAILABLE,
    nonRetryable: false,
    message: e.message,
    details: [{ status: e.status }],
    ...(e.retryAfterMs !== undefined ? { nextRetryDelay: Math.max(e.retryAfterMs, 250) } : {}),
  });
}

export function isFailureOfType(err: unknown, type: string): boolean {
  return err instanceof ApplicationFailure && err.type === type;
}
