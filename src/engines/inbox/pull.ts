// The recovery sweep's second half: ask the providers for inbound messages that never arrived as
// webhooks and put them in the inbox under the same dedupe key the webhook would have used, so a
// message that did arrive is not written twice. Cursors (`provider_cursors`) remember how far each
// provider was read; each read overlaps the last a little, since dedupe makes overlap free.
import type { Db } from '../../db/client';
import type { InboundEmailSource } from '../../integrations/postmark/inbound';
import { parsePostmarkWebhook } from '../../integrations/postmark/webhook-schema';
import type { InboundSmsSource } from '../../integrations/twilio/inbound';
import { parseTwilioWebhook } from '../../integrations/twilio/webhook-schema';
import { advanceCursor, readCursor } from './cursors';
import { knownDedupeKeys, recordInboxEvent } from './store';

export const CURSOR_POSTMARK_INBOUND = 'postmark:inbound';
export const CURSOR_TWILIO_INBOUND = 'twilio:inbound';
/** How far back the first sweep looks. */
export const FIRST_LOOKBACK_MS = 3 * 86_400_000;
/** Re-read this much before the cursor: late indexing and clock skew between us and the provider. */
export const OVERLAP_MS = 15 * 60_000;

export interface PullResult {
  provider: string;
  sandbox: boolean;
  since: string;
  listed: number;
  /** New inbox rows (messages whose webhook never arrived). */
  recorded: string[];
  invalid: number;
}

type PullDb = Pick<Db, '$queryRawUnsafe' | 'webhookEvent' | 'providerCursor' | 'sendResource'>;

async function startFrom(db: PullDb, cursor: string, now: Date): Promise<Date> {
  const at = await readCursor(db, cursor);
  return at ? new Date(at.getTime() - OVERLAP_MS) : new Date(now.getTime() - FIRST_LOOKBACK_MS);
}

/**
 * The newest message seen (never in the future), or one overlap before now when that is later:
 * the next read starts OVERLAP_MS before it, which covers late indexing and small clock skew.
 */
function nextCursor(dates: Date[], now: Date): Date {
  const newest = dates.reduce((max, d) => Math.max(max, Math.min(d.getTime(), now.getTime())), 0);
  return new Date(Math.max(newest, now.getTime() - OVERLAP_MS));
}

export async function pullMissedEmail(db: PullDb, source: InboundEmailSource, opts: { now: Date; limit?: number }): Promise<PullResult> {
  const since = await startFrom(db, CURSOR_POSTMARK_INBOUND, opts.now);
  const listed = await source.listInbound(since, { limit: opts.limit });
  const known = await knownDedupeKeys(
    db,
    'postmark',
    listed.map((m) => `inbound:${m.messageId}`),
  );
  const recorded: string[] = [];
  let invalid = 0;
  for (const m of listed) {
    if (known.has(`inbound:${m.messageId}`)) continue;
    const payload = await source.getInbound(m.messageId);
    let parsed;
    try {
      parsed = parsePostmarkWebhook(payload);
    } catch {
      // A message the webhook parser refuses (a ZodError): counted, as the webhook route would refuse it.
      invalid++;
      continue;
    }
    const row = await recordInboxEvent(db, { provider: 'postmark', dedupeKey: parsed.dedupeKey, eventType: parsed.kind, payload });
    if (!row.duplicate) recorded.push(row.id);
  }
  await advanceCursor(
    db,
    CURSOR_POSTMARK_INBOUND,
    nextCursor(
      listed.map((m) => m.date),
      opts.now,
    ),
  );
  return { provider: 'postmark', sandbox: source.sandbox, since: since.toISOString(), listed: listed.length, recorded, invalid };
}

export async function pullMissedSms(db: PullDb, source: InboundSmsSource, opts: { now: Date; limit?: number }): Promise<PullResult> {
  const since = await startFrom(db, CURSOR_TWILIO_INBOUND, opts.now);
  const numbers = await db.sendResource.findMany({ where: { channel: 'sms', deletedAt: null }, select: { identifier: true }, distinct: ['identifier'] });
  // Messaging Service SIDs (MG…) are not numbers a message is addressed to.
  const to = numbers.map((n) => n.identifier).filter((id) => id.startsWith('+'));
  const listed = to.length > 0 ? await source.listInbound({ to, since, limit: opts.limit }) : [];
  const known = await knownDedupeKeys(
    db,
    'twilio',
    listed.map((m) => `inbound:${m.fields.MessageSid}`),
  );
  const recorded: string[] = [];
  let invalid = 0;
  for (const m of listed) {
    if (known.has(`inbound:${m.fields.MessageSid}`)) continue;
    let parsed;
    try {
      parsed = parseTwilioWebhook(m.fields);
    } catch {
      // A message the webhook parser refuses (a ZodError): counted, as the webhook route would refuse it.
      invalid++;
      continue;
    }
    const row = await recordInboxEvent(db, { provider: 'twilio', dedupeKey: parsed.dedupeKey, eventType: parsed.kind, payload: m.fields });
    if (!row.duplicate) recorded.push(row.id);
  }
  await advanceCursor(
    db,
    CURSOR_TWILIO_INBOUND,
    nextCursor(
      listed.map((m) => m.sentAt),
      opts.now,
    ),
  );
  return { provider: 'twilio', sandbox: source.sandbox, since: since.toISOString(), listed: listed.length, recorded, invalid };
}
