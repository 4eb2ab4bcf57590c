import { PermanentSendError, type OutboundMessage } from '../../src/integrations/channels';
import { TwilioSmsProvider } from '../../src/integrations/twilio/sms-provider';
import { TWILIO_FAKE_SID, TWILIO_FAKE_TOKEN, startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';

let tw: TwilioFake;
let provider: TwilioSmsProvider;

beforeAll(async () => {
  tw = await startTwilioFake();
  provider = new TwilioSmsProvider({
    accountSid: TWILIO_FAKE_SID,
    authToken: TWILIO_FAKE_TOKEN,
    baseUrl: tw.url,
    statusCallbackUrl: 'https://aos.example/webhooks/twilio/status',
  });
});
afterAll(() => tw.close());
beforeEach(() => tw.reset());

function sms(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    channel: 'sms',
    clientId: 'client-1',
    idempotencyKey: 'sequence:camp-1:lead-1:touch:2',
    to: { name: 'Jane Lead', phone: '+61412345678' },
    from: { name: 'Sam', resource: '+61480000001' },
    text: 'Hi Jane, Sam here. Reply STOP to opt out.',
    metadata: {},
    ...over,
  };
}

describe('TwilioSmsProvider.send', () => {
  it('creates the message through the SDK with Basic auth and form fields', async () => {
    const result = await provider.send(sms());

    expect(tw.requests).toHaveLength(1);
    const req = tw.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${TWILIO_FAKE_SID}/Messages.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_FAKE_SID}:${TWILIO_FAKE_TOKEN}`).toString('base64')}`);
    expect(req.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(req.headers['user-agent']).toMatch(/^twilio-node\//);
    expect(req.body).toEqual({
      To: '+61412345678',
      From: '+61480000001',
      Body: 'Hi Jane, Sam here. Reply STOP to opt out.',
      StatusCallback: 'https://aos.example/webhooks/twilio/status',
    });
    expect(result).toEqual({ providerMessageId: tw.sent[0].sid });
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends through a Messaging Service when the resource is an MG sid', async () => {
    await provider.send(sms({ from: { name: 'Sam', resource: 'MG0123456789abcdef0123456789abcdef' } }));
    expect(tw.requests[0].body).toMatchObject({ MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef' });
    expect(tw.requests[0].body).not.toHaveProperty('From');
  });

  it('refuses a touch without a valid number before calling Twilio', async () => {
    const err = await provider.send(sms({ to: { name: 'No phone' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(tw.requests).toHaveLength(0);
  });
});

describe('TwilioSmsProvider errors', () => {
  it('maps 21610 (recipient replied STOP) to PermanentSendError', async () => {
    tw.optedOut.add('+61412345678');
    const err = await provider.send(sms()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).providerCode).toBe(21610);
  });

  it.each([21211, 21614])('maps %s to PermanentSendError', async (code) => {
    tw.failNext(400, { code, message: 'bad number', more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
    const err = await provider.send(sms()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).providerCode).toBe(code);
  });

  it.each([
    [429, 20429],
    [500, 20500],
    [503, 20503],
  ])('treats HTTP %s as retryable', async (status, code) => {
    tw.failNext(status, { code, message: 'try later', status });
    const err = await provider.send(sms()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain(`HTTP ${status}`);
  });

  it('treats bad credentials as retryable (fixable configuration)', async () => {
    const wrong = new TwilioSmsProvider({ accountSid: TWILIO_FAKE_SID, authToken: 'nope', baseUrl: tw.url });
    const err = await wrong.send(sms()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain('20003');
  });

  it('treats a dropped connection as retryable', async () => {
    tw.dropNext();
    const err = await provider.send(sms()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });
});

describe('TwilioSmsProvider.findSent', () => {
  it('finds a queued message (no date_sent yet) by recipient, sender and body', async () => {
    const since = new Date();
    const sent = await provider.send(sms());
    tw.requests.length = 0;

    await expect(provider.findSent(sms(), since)).resolves.toEqual(sent);
    const req = tw.requests[0];
    expect(req.method).toBe('GET');
    expect(req.query.get('To')).toBe('+61412345678');
    expect(req.query.get('From')).toBe('+61480000001');
    expect(req.query.get('PageSize')).toBe('50');
  });

  it('accepts a body Twilio extended with opt-out text', async () => {
    const msg = tw.addMessage({ to: '+61412345678', from: '+61480000001', body: `${sms().text}\nReply STOP to unsubscribe` });
    await expect(provider.findSent(sms(), new Date())).resolves.toEqual({ providerMessageId: msg.sid });
  });

  it('returns null for a different body, an older message, or an inbound one', async () => {
    tw.addMessage({ to: '+61412345678', from: '+61480000001', body: 'another touch' });
    tw.addMessage({
      to: '+61412345678',
      from: '+61480000001',
      body: sms().text,
      date_created: new Date(Date.now() - 24 * 3600_000).toUTCString(),
    });
    tw.addMessage({ to: '+61412345678', from: '+61480000001', body: sms().text, direction: 'inbound' });
    await expect(provider.findSent(sms(), new Date())).resolves.toBeNull();
  });

  it('fails retryably when the list call fails', async () => {
    tw.failNext(500, { code: 20500, message: 'boom', status: 500 });
    const err = await provider.findSent(sms(), new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });
});
