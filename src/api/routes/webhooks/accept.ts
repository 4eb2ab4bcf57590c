// The common tail of every webhook route: write the verified, parsed event to the inbox (a
// redelivery finds its row and changes nothing) and answer 2xx. Processing is the worker's: the
// row's NOTIFY wakes it (src/lifecycle/inbox-processing.ts), so API replicas hold no state.
import { context, propagation } from '@opentelemetry/api';
import type { Response } from 'express';
import { InboxBatchWriter } from '../../../engines/inbox/batch-writer';
import { storableIdentifiers, type NewInboxEvent } from '../../../engines/inbox/store';
import type { ApiDeps } from '../../deps';
import { HttpError } from '../../errors';
import { findNul } from '../../input-guard';
import { webhookEventsAccepted } from '../../../observability/metrics';

export interface Accepted {
  id: string;
  duplicate: boolean;
}

const writers = new WeakMap<ApiDeps, InboxBatchWriter>();

function writerFor(deps: ApiDeps): InboxBatchWriter {
  let w = writers.get(deps);
  if (!w) {
    w = new InboxBatchWriter(deps.inboxSql ?? deps.db);
    writers.set(deps, w);
  }
  return w;
}

export async function acceptEvent(deps: ApiDeps, res: Response, event: NewInboxEvent, reply?: (a: Accepted) => void): Promise<void> {
  // Checked per event, before batching: a NUL in an id would fail the whole multi-row INSERT. (The
  // payload's NULs, in values or keys, are stored as U+FFFD; see recordInboxEvents.)
  if (!storableIdentifiers(event)) {
    const path = findNul(event.payload, 'body')?.slice(1) ?? ['dedupeKey'];
    throw new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [
      { path, code: 'invalid_string', message: 'must not contain NUL (\\u0000) characters' },
    ]);
  }
  const row = await writerFor(deps).record({ ...event, trace: currentTraceparent() });
  const accepted = { id: row.id, duplicate: row.duplicate };
  webhookEventsAccepted.inc({ provider: event.provider, duplicate: String(row.duplicate) });
  if (reply) reply(accepted);
  else webhookAck(res, { received: true, ...accepted });
}

/**
 * A webhook's 200 JSON answer, written directly: providers never revalidate an answer, and express's
 * res.json would hash every body for an ETag (and check freshness) on the hottest route there is.
 */
export function webhookAck(res: Response, body: Record<string, unknown>): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** The active trace as a W3C `traceparent` (tracing on), for the worker to continue; else undefined. */
export function currentTraceparent(): string | undefined {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
