import { createHmac } from 'node:crypto';
import { signUnsubscribeToken, verifyUnsubscribeToken, type UnsubscribePayload } from '../../src/engines/compliance/unsubscribe-token';

const SECRET = 'test-unsubscribe-secret-0123456789';
const ISSUED = 1_767_744_000; // 2026-01-07T00:00:00Z
const NOW = new Date(ISSUED * 1000 + 60_000);
const payload: UnsubscribePayload = { clientId: 'client-1', leadId: 'lead-9', campaignId: 'camp-3', channel: 'email', issuedAt: ISSUED };

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const sign = (encoded: string, secret = SECRET): string => `${encoded}.${createHmac('sha256', secret).update(encoded).digest('base64url')}`;

describe('unsubscribe tokens', () => {
  it('round-trips and is URL-safe', () => {
    const token = signUnsubscribeToken(payload, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(verifyUnsubscribeToken(token, SECRET, { now: NOW })).toEqual({ ok: true, payload });
  });

  it('is deterministic, and campaignId is optional', () => {
    expect(signUnsubscribeToken(payload, SECRET)).toBe(signUnsubscribeToken({ ...payload }, SECRET));
    const { campaignId: _omit, ...noCampaign } = payload;
    const token = signUnsubscribeToken(noCampaign, SECRET);
    expect(verifyUnsubscribeToken(token, SECRET, { now: NOW })).toEqual({ ok: true, payload: noCampaign });
  });

  it('has the documented format: base64url(JSON payload).base64url(HMAC-SHA256)', () => {
    const token = signUnsubscribeToken(payload, SECRET);
    const [encoded] = token.split('.');
    expect(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))).toEqual(payload);
    expect(token).toBe(sign(encoded));
  });

  it('rejects a tampered payload, a tampered signature and another secret', () => {
    const token = signUnsubscribeToken(payload, SECRET);
    const [encoded, sig] = token.split('.');
    const forged = b64(JSON.stringify({ ...payload, leadId: 'lead-10' }));
    expect(verifyUnsubscribeToken(`${forged}.${sig}`, SECRET, { now: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    expect(verifyUnsubscribeToken(`${encoded}.${flipped}`, SECRET, { now: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyUnsubscribeToken(token, 'another-secret', { now: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['one part', 'abc'],
    ['three parts', 'a.b.c'],
    ['padding', `${b64('{}')}=.${'A'.repeat(43)}`],
    ['non-base64url characters', 'ab+/.cd'],
    ['short signature', `${b64('{}')}.AAAA`],
    ['huge', `${'A'.repeat(5000)}.${'A'.repeat(43)}`],
  ])('rejects a malformed token (%s) without throwing', (_name, token) => {
    expect(verifyUnsubscribeToken(token, SECRET, { now: NOW })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects non-canonical base64url (two spellings of one token)', () => {
    const token = signUnsubscribeToken(payload, SECRET);
    const [encoded, sig] = token.split('.');
    // The last character of a 43-char signature carries 2 unused bits; changing them decodes the same bytes.
    const last = sig.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(sig.slice(0, -1) + twin, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyUnsubscribeToken(`${encoded}.${sig.slice(0, -1)}${twin}`, SECRET, { now: NOW })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('reports a signed token whose JSON or shape is wrong', () => {
    expect(verifyUnsubscribeToken(sign(b64('not json')), SECRET, { now: NOW })).toEqual({ ok: false, reason: 'malformed' });
    const wrongChannel = sign(b64(JSON.stringify({ ...payload, channel: 'sms' })));
    expect(verifyUnsubscribeToken(wrongChannel, SECRET, { now: NOW })).toEqual({ ok: false, reason: 'invalid_payload' });
    const extraField = sign(b64(JSON.stringify({ ...payload, admin: true })));
    expect(verifyUnsubscribeToken(extraField, SECRET, { now: NOW })).toEqual({ ok: false, reason: 'invalid_payload' });
  });

  it('enforces the optional max age and refuses tokens from the future', () => {
    const token = signUnsubscribeToken(payload, SECRET);
    const day = 86_400;
    expect(verifyUnsubscribeToken(token, SECRET, { now: new Date((ISSUED + 30 * day) * 1000), maxAgeSeconds: 60 * day }).ok).toBe(true);
    expect(verifyUnsubscribeToken(token, SECRET, { now: new Date((ISSUED + 61 * day) * 1000), maxAgeSeconds: 60 * day })).toEqual({
      ok: false,
      reason: 'expired',
    });
    // Without maxAgeSeconds a years-old link still works (CAN-SPAM: honour opt-outs).
    expect(verifyUnsubscribeToken(token, SECRET, { now: new Date((ISSUED + 900 * day) * 1000) }).ok).toBe(true);
    expect(verifyUnsubscribeToken(token, SECRET, { now: new Date((ISSUED - 3600) * 1000) })).toEqual({ ok: false, reason: 'not_yet_valid' });
    expect(verifyUnsubscribeToken(token, SECRET, { now: new Date((ISSUED - 60) * 1000) }).ok).toBe(true); // clock skew
  });

  it('accepts any of several secrets during a rotation', () => {
    const old = signUnsubscribeToken(payload, 'old-secret');
    expect(verifyUnsubscribeToken(old, [SECRET, 'old-secret'], { now: NOW }).ok).toBe(true);
    expect(verifyUnsubscribeToken(old, [SECRET], { now: NOW })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses to sign or verify with an empty secret, and to sign a bad payload', () => {
    expect(() => signUnsubscribeToken(payload, '')).toThrow(TypeError);
    expect(() => verifyUnsubscribeToken('a.b', '')).toThrow(TypeError);
    expect(() => verifyUnsubscribeToken('a.b', [])).toThrow(TypeError);
    expect(() => signUnsubscribeToken({ ...payload, leadId: '' }, SECRET)).toThrow();
  });
});
