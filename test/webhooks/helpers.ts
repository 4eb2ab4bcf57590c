// Shared pieces of the webhook tests: provider fixtures, credentials, signatures, seeded sends and
// waiting for the in-process processing to finish.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import twilio from 'twilio';
import type { Channel, Db, WebhookEvent } from '../../src/db/client';
import { createCampaign } from '../../src/engines/campaigns';

export const WEBHOOK_ENV = {
  POSTMARK_WEBHOOK_USER: 'postmark-hook',
  POSTMARK_WEBHOOK_PASSWORD: 'pm-hook-password-0123456789',
  TWILIO_AUTH_TOKEN: 'twilio-webhook-auth-token-0123',
  WEBHOOK_SHARED_SECRET: 'shared-webhook-secret-0123456789',
};

export const PUBLIC_URL = 'http://agency-os.test';

export function fixture<T = Record<string, unknown>>(provider: string, name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'webhooks', provider, `${name}.json`), 'utf8')) as T;
}

export const postmarkAuth = (user = WEBHOOK_ENV.POSTMARK_WEBHOOK_USER, password = WEBHOOK_ENV.POSTMARK_WEBHOOK_PASSWORD) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

export const secretHeader = (secret = WEBHOOK_ENV.WEBHOOK_SHARED_SECRET) => ({ 'X-Webhook-Secret': secret });

/** X-Twilio-Signature as Twilio computes it for PUBLIC_URL + path and these form fields. */
export function twilioSignature(params: Record<string, string>, path = '/api/v1/webhooks/twilio', token = WEBHOOK_ENV.TWILIO_AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, `${PUBLIC_URL}${path}`, params);
}

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const twilioSid = (prefix = 'SM') => `${prefix}${hex(16)}`;

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function inboxRow(db: Db, provider: string, dedupeKey: string): Promise<WebhookEvent | null> {
  return db.webhookEvent.findUnique({ where: { provider_dedupeKey: { provider, dedupeKey } } });
}

/** Waits until the row has left `pending` (or has at least `attempts` attempts), then returns it. */
export async function settled(db: Db, provider: string, dedupeKey: string, opts: { attempts?: number; timeoutMs?: number } = {}): Promise<WebhookEvent> {
  return waitFor(
    `inbox row ${provider}/${dedupeKey}`,
    async () => {
      const row = await inboxRow(db, provider, dedupeKey);
      if (!row) return null;
      if (opts.attempts !== undefined) return row.attempts >= opts.attempts ? row : null;
      return row.status !== 'pending' ? row : null;
    },
    opts.timeoutMs,
  );
}

export interface SeededSend {
  campaignId: string;
  idempotencyKey: string;
  providerMessageId: string;
  threadId?: string;
}

/** A send recorded in the ledger as the sequence would have (for tests that need no real send). */
export async function seedSend(
  db: Db,
  a: { clientId: string; leadId: string; channel?: Channel; campaignId?: string; providerMessageId?: string; threadId?: string | null },
): Promise<SeededSend> {
  const campaignId = a.campaignId ?? (await createCampaign(db, { clientId: a.clientId, name: `seed ${hex(3)}` })).id;
  const channel = a.channel ?? 'email';
  const idempotencyKey = `seed:${randomUUID()}:touch:1`;
  const providerMessageId = a.providerMessageId ?? (channel === 'sms' ? twilioSid() : randomUUID());
  const threadId = a.threadId === null ? undefined : (a.threadId ?? (channel === 'email' ? `<${hex(16)}@mail.agency.example>` : undefined));
  await db.sendLedger.create({
    data: {
      clientId: a.clientId,
      campaignId,
      leadId: a.leadId,
      idempotencyKey,
      channel,
      touchNumber: 1,
      state: 'sent',
      providerMessageId,
      threadId,
      sentAt: new Date(),
    },
  });
  return { campaignId, idempotencyKey, providerMessageId, threadId };
}

/** The Postmark inbound fixture as a reply from `email` to the seeded send's thread. */
export function inboundReply(a: { email: string; inReplyTo?: string; text?: string; subject?: string; date?: string; messageId?: string }) {
  const body = fixture('postmark', 'inbound-reply');
  const text = a.text ?? 'Thursday at 10am works for me.';
  return {
    ...body,
    MessageID: a.messageId ?? randomUUID(),
    From: a.email,
    FromFull: { Email: a.email, Name: 'Lead', MailboxHash: '' },
    ...(a.subject ? { Subject: a.subject } : {}),
    ...(a.date ? { Date: a.date } : {}),
    TextBody: text,
    StrippedTextReply: text,
    Headers: [
      { Name: 'Message-ID', Value: `<${hex(8)}@mail.lead.example>` },
      ...(a.inReplyTo
        ? [
            { Name: 'In-Reply-To', Value: a.inReplyTo },
            { Name: 'References', Value: a.inReplyTo },
          ]
        : []),
    ],
  };
}

export async function activities(db: Db, leadId: string, action?: string) {
  return db.activity.findMany({ where: { leadId, ...(action ? { action } : {}) }, orderBy: { createdAt: 'asc' } });
}
