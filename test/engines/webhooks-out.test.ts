// Outbound webhooks' pure parts: the endpoint secret's encryption, the Standard Webhooks headers
// (checked with the library's own verify), the payload shape and the retry schedule.
import { Webhook } from 'standardwebhooks';
import { decryptSecret, encryptSecret, generateEndpointSecret } from '../../src/engines/webhooks-out/secret';
import { eventPayload, signedHeaders } from '../../src/engines/webhooks-out/http';
import { subscribes } from '../../src/engines/webhooks-out/dispatch';
import { MAX_RETRY_MS, retryDelayMs } from '../../workflows/definitions/webhook-delivery';

const SIGNING = 'unit-signing-secret-0123456789abcdef0123456789';

it('encrypts endpoint secrets with AES-256-GCM under a key from SIGNING_SECRET', () => {
  const secret = generateEndpointSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  const stored = encryptSecret(secret, SIGNING);
  expect(stored).not.toContain(secret.slice(6));
  expect(encryptSecret(secret, SIGNING)).not.toBe(stored); // fresh IV each time
  expect(decryptSecret(stored, SIGNING)).toBe(secret);
  expect(() => decryptSecret(stored, SIGNING.replace('0', '1'))).toThrow();
  const [v, iv, tag, ct] = stored.split('.');
  const flipped = Buffer.from(ct, 'base64url');
  flipped[0] ^= 1;
  expect(() => decryptSecret([v, iv, tag, flipped.toString('base64url')].join('.'), SIGNING)).toThrow();
});

it('signs so that standardwebhooks verifies, with the event id as webhook-id', () => {
  const secret = generateEndpointSecret();
  const event = {
    id: 'evt-1',
    type: 'reply.received',
    leadId: 'lead-1',
    leadSeq: 3,
    data: { intent: 'interested' },
    createdAt: new Date('2027-01-02T03:04:05.000Z'),
  };
  const body = JSON.stringify(eventPayload(event));
  expect(JSON.parse(body)).toEqual({
    type: 'reply.received',
    timestamp: '2027-01-02T03:04:05.000Z',
    data: { intent: 'interested', eventId: 'evt-1', leadId: 'lead-1', leadSeq: 3 },
  });
  const headers = signedHeaders(secret, event.id, new Date(), body);
  expect(headers['webhook-id']).toBe('evt-1');
  expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  expect(() => new Webhook(secret).verify(body.replace('interested', 'not_interested'), headers)).toThrow();
  expect(() => new Webhook(generateEndpointSecret()).verify(body, headers)).toThrow();
});

it('retries 5 s, 10 s, 20 s … at most an hour apart; an empty subscription list means every type', () => {
  expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([5_000, 10_000, 20_000, 40_000]);
  expect(retryDelayMs(11)).toBe(MAX_RETRY_MS);
  expect(retryDelayMs(40)).toBe(MAX_RETRY_MS);
  expect(subscribes([], 'lead.bounced')).toBe(true);
  expect(subscribes(['reply.received'], 'lead.bounced')).toBe(false);
});
