import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import twilio from 'twilio';
import { ZodError } from 'zod';
import { normalizeLinkedInUrl, parseHeyReachWebhook } from '../../src/integrations/heyreach/webhook-schema';
import { inboundReplyText, messageIdsFromHeader, parsePostmarkWebhook } from '../../src/integrations/postmark/webhook-schema';
import { parseTwilioInboundSms, parseTwilioStatusCallback, parseTwilioWebhook, verifyTwilioSignature } from '../../src/integrations/twilio/webhook-schema';
import { parseVapiWebhook } from '../../src/integrations/vapi/webhook-schema';

const FIXTURES = join(__dirname, '..', 'fixtures', 'webhooks');
function fixture(provider: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, provider, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The dotted paths of the zod issues `fn` throws (fails the test if it does not throw a ZodError). */
function issuePaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ZodError);
    return (err as ZodError).issues.map((i) => i.path.join('.'));
  }
  throw new Error('expected a ZodError');
}

const sha16 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

const OUR_ID = '3f2a9c1e7b6d4e0fa1b2c3d4e5f60718@mail.agency.example';
const FIRST_ID = '9d8c7b6a5f4e3d2c1b0a99887766554@mail.agency.example';
const PM_MSG = '883953f4-6105-42a2-a16a-77a8eac79483';

describe('Postmark webhooks', () => {
  it.each([
    ['inbound-reply', 'inbound', 'inbound:73e6d360-66eb-11e1-8e72-a8904824019b', '73e6d360-66eb-11e1-8e72-a8904824019b', 'jess@acme.example'],
    ['inbound-auto-reply', 'inbound', 'inbound:0b6c2a41-2f7d-4c51-9a43-0e3c2d1b6f22', '0b6c2a41-2f7d-4c51-9a43-0e3c2d1b6f22', 'tom.nguyen@globex.example'],
    ['bounce-hard', 'bounce', 'Bounce:4323372036:2026-01-07T03:12:45.1234567Z', PM_MSG, 'nobody@acme.example'],
    ['spam-complaint', 'spam_complaint', 'SpamComplaint:42:2019-11-05T16:33:54.9070259Z', '00000000-0000-0000-0000-000000000000', 'john@example.com'],
    ['delivery', 'delivery', `Delivery:${PM_MSG}:2026-01-07T03:00:01Z:jess@acme.example`, PM_MSG, 'jess@acme.example'],
    ['open', 'open', `Open:${PM_MSG}:2026-01-07T04:10:33.4562913Z:jess@acme.example`, PM_MSG, 'jess@acme.example'],
    ['click', 'click', `Click:${PM_MSG}:2026-01-07T04:11:02.117Z:jess@acme.example`, PM_MSG, 'jess@acme.example'],
    ['subscription-change', 'subscription_change', `SubscriptionChange:${PM_MSG}:2026-01-07T05:00:00Z:jess@acme.example`, PM_MSG, 'jess@acme.example'],
    ['subscription-change-reactivated', 'subscription_change', 'SubscriptionChange:-:2026-01-09T01:30:00Z:jess@acme.example', null, 'jess@acme.example'],
  ])('%s parses as %s', (name, kind, dedupeKey, messageId, email) => {
    const parsed = parsePostmarkWebhook(fixture('postmark', name));
    expect(parsed).toMatchObject({ kind, dedupeKey, messageId, email });
  });

  it('collects thread ids from In-Reply-To and References, newest first, brackets stripped, any header case', () => {
    const reply = parsePostmarkWebhook(fixture('postmark', 'inbound-reply'));
    const auto = parsePostmarkWebhook(fixture('postmark', 'inbound-auto-reply'));
    if (reply.kind !== 'inbound' || auto.kind !== 'inbound') throw new Error('expected inbound');
    expect(reply.inReplyTo).toEqual([OUR_ID, FIRST_ID]);
    expect(auto.inReplyTo).toEqual([FIRST_ID]);
    expect(messageIdsFromHeader('<a@x> <b@y>,<c@z>')).toEqual(['a@x', 'b@y', 'c@z']);
    expect(messageIdsFromHeader('bare@id')).toEqual(['bare@id']);
  });

  it("uses Postmark's stripped reply text when it has one", () => {
    const reply = parsePostmarkWebhook(fixture('postmark', 'inbound-reply'));
    const auto = parsePostmarkWebhook(fixture('postmark', 'inbound-auto-reply'));
    if (reply.kind !== 'inbound' || auto.kind !== 'inbound') throw new Error('expected inbound');
    expect(inboundReplyText(reply.event)).toBe('Thursday at 10am works for me.\n\nJess');
    expect(inboundReplyText(auto.event)).toMatch(/^I am out of the office/);
  });

  it('keeps unknown fields and metadata', () => {
    const parsed = parsePostmarkWebhook({ ...fixture('postmark', 'bounce-hard'), BrandNewField: { x: 1 } });
    expect(parsed.event).toMatchObject({ BrandNewField: { x: 1 }, Metadata: { idempotency_key: 'sequence:camp-1:lead-1:touch:1' } });
  });

  it('dedupes a redelivery but not a second open of the same message', () => {
    const open = fixture('postmark', 'open');
    const again = parsePostmarkWebhook(structuredClone(open));
    const later = parsePostmarkWebhook({ ...open, FirstOpen: false, ReceivedAt: '2026-01-07T09:00:00Z' });
    expect(again.dedupeKey).toBe(parsePostmarkWebhook(open).dedupeKey);
    expect(later.dedupeKey).not.toBe(again.dedupeKey);
  });

  it.each([
    ['inbound without MessageID', () => ({ ...fixture('postmark', 'inbound-reply'), MessageID: undefined }), 'MessageID'],
    ['inbound FromFull without Email', () => ({ ...fixture('postmark', 'inbound-reply'), FromFull: { Name: 'Jess' } }), 'FromFull.Email'],
    ['inbound Headers not a list', () => ({ ...fixture('postmark', 'inbound-reply'), Headers: 'In-Reply-To: x' }), 'Headers'],
    ['bounce ID as text', () => ({ ...fixture('postmark', 'bounce-hard'), ID: 'abc' }), 'ID'],
    ['bounce without BouncedAt', () => ({ ...fixture('postmark', 'bounce-hard'), BouncedAt: undefined }), 'BouncedAt'],
    ['delivery with an unparseable time', () => ({ ...fixture('postmark', 'delivery'), DeliveredAt: 'yesterday' }), 'DeliveredAt'],
    ['open without Recipient', () => ({ ...fixture('postmark', 'open'), Recipient: undefined }), 'Recipient'],
    ['subscription change without SuppressSending', () => ({ ...fixture('postmark', 'subscription-change'), SuppressSending: 'yes' }), 'SuppressSending'],
    ['unknown RecordType', () => ({ RecordType: 'Teleport', MessageID: PM_MSG }), 'RecordType'],
  ])('rejects %s, naming the field', (_name, body, path) => {
    expect(issuePaths(() => parsePostmarkWebhook(body()))).toContain(path);
  });

  it('rejects bodies that are not objects', () => {
    for (const body of [null, 'text', 42, []]) expect(() => parsePostmarkWebhook(body)).toThrow(ZodError);
  });
});

describe('Twilio webhooks', () => {
  const inboundSid = `SM${'1a2b3c4d5e6f7a8b'.repeat(2)}`;
  const outboundSid = `SM${'abcdef0123456789'.repeat(2)}`;

  it.each([
    ['inbound-sms', 'inbound', `inbound:${inboundSid}`],
    ['inbound-stop', 'inbound', `inbound:SM${'99aa88bb77cc66dd'.repeat(2)}`],
    ['inbound-mms', 'inbound', `inbound:MM${'0f1e2d3c4b5a6978'.repeat(2)}`],
    ['status-sent', 'status', `status:${outboundSid}:sent`],
    ['status-delivered', 'status', `status:${outboundSid}:delivered`],
    ['status-undelivered', 'status', `status:SM${'0011223344556677'.repeat(2)}:undelivered`],
  ])('%s parses as %s', (name, kind, dedupeKey) => {
    expect(parseTwilioWebhook(fixture('twilio', name))).toMatchObject({ kind, dedupeKey });
  });

  it('exposes the fields the inbox needs', () => {
    const stop = parseTwilioInboundSms(fixture('twilio', 'inbound-stop'));
    expect(stop.event).toMatchObject({ Body: 'STOP', OptOutType: 'STOP', From: '+61412345678' });
    const mms = parseTwilioInboundSms(fixture('twilio', 'inbound-mms'));
    expect(mms.mediaUrls).toHaveLength(1);
    expect(mms.mediaUrls[0]).toMatch(/\/Media\/ME0+$/);
    const failed = parseTwilioStatusCallback(fixture('twilio', 'status-undelivered'));
    expect(failed.event.ErrorCode).toBe('30003');
    expect(failed.messageId).toBe(`SM${'0011223344556677'.repeat(2)}`);
  });

  it.each([
    ['inbound with a bad MessageSid', () => ({ ...fixture('twilio', 'inbound-sms'), MessageSid: '123' }), 'MessageSid'],
    ['inbound without From', () => ({ ...fixture('twilio', 'inbound-sms'), From: undefined }), 'From'],
    ['inbound with NumMedia not a number', () => ({ ...fixture('twilio', 'inbound-sms'), NumMedia: 'one' }), 'NumMedia'],
    ['inbound with a bad AccountSid', () => ({ ...fixture('twilio', 'inbound-sms'), AccountSid: 'AC123' }), 'AccountSid'],
    ['status with an unknown MessageStatus', () => ({ ...fixture('twilio', 'status-sent'), MessageStatus: 'exploded' }), 'MessageStatus'],
    ['status with a non-numeric ErrorCode', () => ({ ...fixture('twilio', 'status-undelivered'), ErrorCode: 'E30003' }), 'ErrorCode'],
  ])('rejects %s, naming the field', (_name, body, path) => {
    expect(issuePaths(() => parseTwilioWebhook(body()))).toContain(path);
  });

  describe('signature verification (real SDK)', () => {
    const token = 'test-auth-token-0123456789abcdef';
    const url = 'https://hooks.agency.example/webhooks/twilio/sms?client=client-1';
    const params = fixture('twilio', 'inbound-sms') as Record<string, string>;
    const signature = twilio.getExpectedTwilioSignature(token, url, params);

    it('accepts the signature Twilio would send', () => {
      expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(verifyTwilioSignature(token, url, params, signature)).toBe(true);
    });

    it('rejects tampered params, another URL, another token, extra or missing params', () => {
      expect(verifyTwilioSignature(token, url, { ...params, Body: 'STOP' }, signature)).toBe(false);
      expect(verifyTwilioSignature(token, url, { ...params, Injected: '1' }, signature)).toBe(false);
      const { Body: _drop, ...missing } = params;
      expect(verifyTwilioSignature(token, url, missing, signature)).toBe(false);
      expect(verifyTwilioSignature(token, url.replace('client-1', 'client-2'), params, signature)).toBe(false);
      expect(verifyTwilioSignature('another-token', url, params, signature)).toBe(false);
    });

    it('rejects missing or junk signatures without throwing', () => {
      for (const sig of [undefined, null, '', 'not-base64', signature.slice(1)]) {
        expect(verifyTwilioSignature(token, url, params, sig)).toBe(false);
      }
      expect(verifyTwilioSignature('', url, params, signature)).toBe(false);
    });
  });
});

describe('HeyReach webhooks', () => {
  const jessUrl = 'https://www.linkedin.com/in/jess-lee-7b1a2';
  const replyText = 'Hey Sam, not right now - maybe next quarter.';
  const replyKey = `reply:2-ZWE1YjY0NDktYjBlMS00ZjQ0LTk2NTMtM2Q4ZjY1ZDg4OTBm:2026-01-07T01:42:19Z:${sha16(replyText)}`;

  it.each([
    ['message-reply', 'message_reply', replyKey],
    // The same reply delivered to an EVERY_MESSAGE_REPLY_RECEIVED subscription is the same event.
    ['every-message-reply', 'message_reply', replyKey],
    ['message-reply-camel', 'message_reply', `reply:2-YmQ3NzQ2:-:${sha16('Please contact our Head of Growth, Tom Nguyen at tom@globex.example.')}`],
    ['inmail-reply', 'message_reply', `reply:2-aW5tYWlsLTE:2026-01-07T03:00:00Z:${sha16('Interested - send me some case studies.')}`],
    ['connection-accepted', 'connection_accepted', `connection_accepted:${jessUrl}:9001`],
    ['campaign-completed', 'other', `CAMPAIGN_COMPLETED:${jessUrl}:2026-02-01T00:00:00Z`],
  ])('%s parses as %s', (name, kind, dedupeKey) => {
    expect(parseHeyReachWebhook(fixture('heyreach', name))).toMatchObject({ kind, dedupeKey });
  });

  it('normalises both spellings to one shape', () => {
    const snake = parseHeyReachWebhook(fixture('heyreach', 'message-reply'));
    expect(snake).toMatchObject({
      eventType: 'MESSAGE_REPLY_RECEIVED',
      lead: { profileUrl: jessUrl, firstName: 'Jess', lastName: 'Lee', email: 'jess@acme.example', companyName: 'Acme Pty Ltd', position: 'Head of Marketing' },
      campaign: { id: '88123', name: 'Q1 Sydney marketing leads' },
      senderAccountId: '9001',
      message: { text: replyText, sentAt: '2026-01-07T01:42:19Z' },
    });
    const camel = parseHeyReachWebhook(fixture('heyreach', 'message-reply-camel'));
    expect(camel).toMatchObject({
      lead: { profileUrl: 'https://www.linkedin.com/in/priya-patel', firstName: 'Priya', email: 'priya@globex.example' },
      conversationId: '2-YmQ3NzQ2',
      senderAccountId: '9001',
      message: { text: 'Please contact our Head of Growth, Tom Nguyen at tom@globex.example.' },
    });
    expect(camel.raw).toHaveProperty('leadProfile'); // unknown fields kept
  });

  it('takes the event type from the route when the body has none', () => {
    const { event_type: _drop, ...body } = fixture('heyreach', 'connection-accepted');
    expect(issuePaths(() => parseHeyReachWebhook(body))).toContain('eventType');
    expect(parseHeyReachWebhook(body, { eventType: 'CONNECTION_REQUEST_ACCEPTED' }).kind).toBe('connection_accepted');
  });

  it.each([
    ['reply without a lead', () => ({ ...fixture('heyreach', 'message-reply'), lead: undefined }), 'lead'],
    ['reply lead without a profile URL', () => ({ ...fixture('heyreach', 'message-reply'), lead: { first_name: 'Jess' } }), 'lead.profileUrl'],
    ['reply without text', () => ({ ...fixture('heyreach', 'message-reply'), recent_messages: [] }), 'message.text'],
    ['lead name of the wrong type', () => ({ ...fixture('heyreach', 'message-reply'), lead: { profile_url: 'x', first_name: 7 } }), 'lead.first_name'],
    ['recent_messages not a list', () => ({ ...fixture('heyreach', 'message-reply'), recent_messages: 'hi' }), 'recent_messages'],
  ])('rejects %s, naming the field', (_name, body, path) => {
    expect(issuePaths(() => parseHeyReachWebhook(body()))).toContain(path);
  });

  it('normalises LinkedIn profile URLs', () => {
    for (const u of ['linkedin.com/in/Jess-Lee-7b1a2', 'http://au.linkedin.com/in/jess-lee-7b1a2/', 'https://www.linkedin.com/in/jess-lee-7b1a2?trk=x#y']) {
      expect(normalizeLinkedInUrl(u)).toBe(jessUrl);
    }
  });
});

describe('Vapi webhooks', () => {
  const callId = '3a9f1c2e-5b7d-4e8f-9a1b-2c3d4e5f6a7b';

  it.each([
    ['end-of-call-report', 'end_of_call_report', `end-of-call-report:${callId}`],
    ['end-of-call-report-voicemail', 'end_of_call_report', 'end-of-call-report:c2b1a0f9-8e7d-4c6b-9a5f-4e3d2c1b0a99'],
    ['status-update-ringing', 'status_update', `status-update:${callId}:ringing`],
    ['status-update-ended', 'status_update', `status-update:${callId}:ended`],
    ['speech-update', 'other', `speech-update:${callId}:1767754806000`],
  ])('%s parses as %s', (name, kind, dedupeKey) => {
    expect(parseVapiWebhook(fixture('vapi', name))).toMatchObject({ kind, dedupeKey });
  });

  it('reads transcript, summary, customer and our idempotency key from either place Vapi puts them', () => {
    expect(parseVapiWebhook(fixture('vapi', 'end-of-call-report'))).toMatchObject({
      callId,
      endedReason: 'customer-ended-call',
      customerNumber: '+61412345678',
      idempotencyKey: 'sequence:camp-1:lead-1:touch:4',
      summary: 'Jess agreed to a call with Sam on Thursday at 10am.',
      transcript: expect.stringContaining('Thursday at 10am works'),
    });
    const voicemail = parseVapiWebhook(fixture('vapi', 'end-of-call-report-voicemail'));
    expect(voicemail).toMatchObject({ endedReason: 'voicemail', customerNumber: '+61498765432', summary: 'Reached voicemail; no message left.' });
    expect(voicemail).not.toHaveProperty('transcript', expect.anything());
  });

  it.each([
    ['no message envelope', () => ({ type: 'end-of-call-report' }), 'message'],
    [
      'report without call id',
      () => {
        const body = fixture('vapi', 'end-of-call-report') as { message: { call: Record<string, unknown> } };
        body.message.call = { ...body.message.call, id: undefined };
        return body;
      },
      'message.call.id',
    ],
    [
      'report without endedReason',
      () => {
        const body = fixture('vapi', 'end-of-call-report') as { message: Record<string, unknown> };
        delete body.message.endedReason;
        return body;
      },
      'message.endedReason',
    ],
    [
      'status-update with an unknown status',
      () => {
        const body = fixture('vapi', 'status-update-ringing') as { message: Record<string, unknown> };
        body.message.status = 'exploded';
        return body;
      },
      'message.status',
    ],
  ])('rejects %s, naming the field', (_name, body, path) => {
    expect(issuePaths(() => parseVapiWebhook(body()))).toContain(path);
  });
});
