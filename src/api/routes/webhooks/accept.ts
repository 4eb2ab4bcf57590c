// The common tail of every webhook route: write the verified, parsed event to the inbox (a
// redelivery finds its row and changes nothing), answer 2xx, then process it in-process.
import type { Response } from 'express';
import { InboxBatchWriter } from '../../../engines/inbox/batch-writer';
import { storableIdentifiers, type NewInboxEvent } from '../../../engines/inbox/store';
import type { KnownInboxRow } from '../../../engines/replies/process';
import type { ApiDeps } from '../../deps';
import { HttpError } from '../../errors';
import { findNul } from '../../input-guard';
import { webhookEventsAccepted } from '../../../observability/metrics';
import { inboxProcessor } from './processing';

export interface Accepted {
  id: string;
  duplicate: boolean;
}

const writers = new WeakMap<ApiDeps, InboxBatchWriter>();

function writerFor(deps: ApiDeps): InboxBatchWriter {
  let w = writers.get(deps);
  if (!w) {
    w = new InboxBatchWriter(deps.db);
    writers.set(deps, w);
  }
  return w;
}

export async function acceptEvent(deps: ApiDeps, res: Response, event: NewInboxEvent, reply?: (a: Accepted) => void): Promise<void> {
  // Checked per event, before batching: a NUL in an id would fail the whole multi-row INSERT. (The
  // payload's NULs, in values or keys, are stored as U+FFFD; see recordInboxEvents.)
  if (!storableIdentifiers(event)) {
    const path = findNul(event.payload, 'body')?.slice(1) ?? ['dedupeKey'];
    throw new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [{ path, code: 'invalid_string', message: 'must not contain NUL (\\u0000) characters' }]);
  }
  const row = await writerFor(deps).record(event);
  const accepted = { id: row.id, duplicate: row.duplicate };
  webhookEventsAccepted.inc({ provider: event.provider, duplicate: String(row.duplicate) });
  if (reply) reply(accepted);
  else res.status(200).json({ received: true, ...accepted });
  // Only the first delivery is processed here; a row a redelivery finds is the sweep's business.
  if (!row.duplicate) {
    const known = { provider: event.provider, payload: event.payload as KnownInboxRow['payload'], receivedAt: row.receivedAt, status: row.status, leadId: event.leadId ?? null };
    // The body's size stands for the parsed payload's memory while it waits.
    const bytes = Number(res.req.headers['content-length']) || undefined;
    inboxProcessor(deps).enqueue(row.id, { provider: event.provider, eventType: event.eventType, known, bytes });
  }
}
