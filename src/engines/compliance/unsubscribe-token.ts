// Signed one-click unsubscribe tokens (RFC 8058). The token is the whole proof: the POST from a mail
// client's "Unsubscribe" button carries no session, so the link must say who to unsubscribe and be
// unforgeable. Format: `base64url(JSON payload).base64url(HMAC-SHA256(secret, first part))`.
// Verification never throws on a bad token (links get mangled by mail clients and scanners); it
// returns a typed failure the route turns into a 400.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const UnsubscribePayloadSchema = z.strictObject({
  clientId: z.string().min(1).max(200),
  leadId: z.string().min(1).max(200),
  campaignId: z.string().min(1).max(200).optional(),
  channel: z.literal('email'),
  /** Epoch seconds. */
  issuedAt: z.number().int().nonnegative(),
});
export type UnsubscribePayload = z.infer<typeof UnsubscribePayloadSchema>;

export type UnsubscribeTokenFailure =
  | 'malformed' // not two base64url parts, too long, or not JSON
  | 'bad_signature' // tampered payload or signed with another secret
  | 'invalid_payload' // signed by us but not the payload shape (e.g. an old format)
  | 'expired' // older than maxAgeSeconds
  | 'not_yet_valid'; // issued in the future beyond clock skew

export type VerifyUnsubscribeResult = { ok: true; payload: UnsubscribePayload } | { ok: false; reason: UnsubscribeTokenFailure };

export interface VerifyUnsubscribeOptions {
  /** Reject tokens issued longer ago than this. Unlimited when absent (CAN-SPAM wants links to work for 30+ days). */
  maxAgeSeconds?: number;
  now?: Date;
}

// Generous for a URL, far below anything a real payload needs: bounds the work done on junk input.
const MAX_TOKEN_LENGTH = 2048;
const SIGNATURE_BYTES = 32;
// Servers' clocks disagree a little; a token "from the future" by more than this was not made by us.
const CLOCK_SKEW_SECONDS = 300;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function requireSecret(secret: string): void {
  // An empty secret would make every token forgeable: a configuration error, so it throws.
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('unsubscribe token secret must be a non-empty string');
}

function mac(encodedPayload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(encodedPayload).digest();
}

/** Decodes strict, canonical base64url (no padding, no stray characters), or null. */
function decodeBase64Url(part: string): Buffer | null {
  if (!BASE64URL.test(part)) return null;
  const bytes = Buffer.from(part, 'base64url');
  // Re-encoding must give the same text, or two spellings of one token would both verify.
  return bytes.toString('base64url') === part ? bytes : null;
}

export function signUnsubscribeToken(payload: UnsubscribePayload, secret: string): string {
  requireSecret(secret);
  const p = UnsubscribePayloadSchema.parse(payload);
  // Fixed key order so the same payload always gives the same token.
  const canonical = {
    clientId: p.clientId,
    leadId: p.leadId,
    ...(p.campaignId !== undefined ? { campaignId: p.campaignId } : {}),
    channel: p.channel,
    issuedAt: p.issuedAt,
  };
  const encoded = Buffer.from(JSON.stringify(canonical), 'utf8').toString('base64url');
  return `${encoded}.${mac(encoded, secret).toString('base64url')}`;
}

/**
 * Checks a token. `secret` may be a list (current first, then previous ones) so tokens already in
 * inboxes keep working while the signing secret is rotated.
 */
export function verifyUnsubscribeToken(token: unknown, secret: string | readonly string[], opts: VerifyUnsubscribeOptions = {}): VerifyUnsubscribeResult {
  const secrets = typeof secret === 'string' ? [secret] : [...secret];
  if (secrets.length === 0) throw new TypeError('at least one unsubscribe token secret is required');
  secrets.forEach(requireSecret);

  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [encodedPayload, encodedSig] = parts;
  const payloadBytes = decodeBase64Url(encodedPayload);
  const sig = decodeBase64Url(encodedSig);
  if (!payloadBytes || !sig || sig.length !== SIGNATURE_BYTES) return { ok: false, reason: 'malformed' };

  // The signature is checked before the payload is even parsed: unsigned input is never interpreted.
  const signedByUs = secrets.some((s) => timingSafeEqual(mac(encodedPayload, s), sig));
  if (!signedByUs) return { ok: false, reason: 'bad_signature' };

  let json: unknown;
  try {
    json = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    // Signed by us but not JSON (SyntaxError): a token from no version of ours.
    return { ok: false, reason: 'malformed' };
  }
  const parsed = UnsubscribePayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid_payload' };

  const nowSeconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (parsed.data.issuedAt > nowSeconds + CLOCK_SKEW_SECONDS) return { ok: false, reason: 'not_yet_valid' };
  if (opts.maxAgeSeconds !== undefined && nowSeconds - parsed.data.issuedAt > opts.maxAgeSeconds) {
    return { ok: false, reason: 'expired' };
  }
  return { ok: true, payload: parsed.data };
}
