// The API side's Temporal connection, and how its outages look to callers. A call made while the
// server is unreachable fails after about a second of retries (the SDK's default retries for ~20 s,
// so a campaign command used to hang that long and then fail or succeed): the route answers 503 with
// Retry-After at once, and the caller retries when Temporal is back. Work that must not be lost in an
// outage never depends on such a call: webhooks are written to the inbox first, and activities retry.
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
  QueryNotRegisteredError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Tracing } from '../observability/tracing';

/** gRPC attempts per call: the first and three retries, 0.2–0.5 s apart (covers a blip, not an outage). */
export const API_GRPC_ATTEMPTS = 4;

/** Seconds a caller is told to wait before retrying a command Temporal could not take. */
export const TEMPORAL_RETRY_AFTER_SECONDS = 5;

export async function connectTemporal(address: string): Promise<Connection> {
  return Connection.connect({ address, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: API_GRPC_ATTEMPTS }))] });
}

/** The Temporal client; with tracing, its starts, signals, updates and queries carry the caller's trace. */
export function temporalClient(connection: Connection, namespace: string, tracing?: Tracing | null): Client {
  return new Client({ connection, namespace, interceptors: tracing?.clientInterceptors });
}

const UNREACHABLE = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]);

/** True when the call failed because Temporal could not be reached (not because it refused the call). */
export function isTemporalUnavailable(err: unknown): boolean {
  // The client wraps the gRPC error (ServiceError and friends carry it as `cause`).
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && UNREACHABLE.has(e.code)) return true;
  }
  return false;
}

/**
 * A workflow query's answer for a read, or null when there is no live state to read: the workflow
 * does not exist (never started, or its history is gone), was started by code without that query,
 * or Temporal cannot be reached — reads then answer from the database, which holds the truth once a
 * workflow has acted (commands answer 503 instead, see above; /health reports the outage). Any other
 * failure (a query that threw, a refused call) propagates rather than passing for "no live state".
 */
export async function queryOrNull<T>(query: () => Promise<T>): Promise<T | null> {
  try {
    return await query();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof QueryNotRegisteredError || isTemporalUnavailable(err)) return null;
    throw err;
  }
}

// Kept in src/shared so activities can classify the same failures.
export { isWorkflowClosed } from '../shared/temporal-errors';
