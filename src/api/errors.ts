// One error shape for every response: {error:{code,message,details}}. Nothing else leaks out:
// unexpected errors are logged with their stack and answered with a generic 500.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { CreditKeyReusedError, InsufficientCreditsError } from '../engines/credits';
import { PlanLimitError } from '../engines/plans';
import { isTemporalUnavailable, TEMPORAL_RETRY_AFTER_SECONDS } from '../lifecycle/temporal';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what = 'resource') => new HttpError(404, 'NOT_FOUND', `${what} not found`);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const body: ErrorBody = { error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${req.path}` } };
  res.status(404).json(body);
};

// body-parser marks its errors with `type` and `status`.
interface BodyParserError {
  type?: string;
  status?: number;
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let body: ErrorBody = { error: { code: 'INTERNAL', message: 'internal error' } };
  if (err instanceof HttpError) {
    status = err.status;
    body = { error: { code: err.code, message: err.message, details: err.details } };
    for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
  } else if (err instanceof PlanLimitError) {
    // What the client's plan does not allow (src/engines/plans.ts): the message says what to change.
    status = 409;
    body = { error: { code: err.code, message: err.message, details: err.details } };
  } else if (err instanceof InsufficientCreditsError) {
    status = 409;
    body = { error: { code: 'INSUFFICIENT_CREDITS', message: err.message, details: { balance: err.balance, amount: err.amount } } };
  } else if (err instanceof CreditKeyReusedError) {
    status = 409;
    body = { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: err.message } };
  } else if (err instanceof ZodError) {
    status = 400;
    body = {
      error: {
        code: 'VALIDATION_ERROR',
        message: 'request is invalid',
        details: err.issues.map((i) => ({ path: i.path.map(String), code: i.code, message: i.message })),
      },
    };
  } else if (isTemporalUnavailable(err)) {
    // Nothing was changed (the command never reached Temporal): the caller may simply retry.
    status = 503;
    body = { error: { code: 'TEMPORAL_UNAVAILABLE', message: 'the workflow service is unreachable; nothing was changed, retry shortly' } };
    res.setHeader('Retry-After', String(TEMPORAL_RETRY_AFTER_SECONDS));
    req.log?.warn({ err }, 'Temporal unreachable');
    res.status(status).json(body);
    return;
  } else if ((err as BodyParserError)?.type === 'entity.too.large') {
    status = 413;
    body = { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } };
  } else if ((err as BodyParserError)?.type === 'entity.parse.failed') {
    status = 400;
    body = { error: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON' } };
  } else if (typeof (err as BodyParserError)?.status === 'number' && (err as BodyParserError).status! < 500) {
    status = (err as BodyParserError).status!;
    body = { error: { code: 'BAD_REQUEST', message: 'request could not be read' } };
  }
  if (status >= 500) req.log?.error({ err }, 'request failed');
  res.status(status).json(body);
};
