import { PermanentSendError, type OutboundMessage } from '../../src/integrations/channels';
import { VapiVoiceProvider } from '../../src/integrations/vapi/voice-provider';
import { VAPI_FAKE_KEY, VAPI_FAKE_NUMBER, startVapiFake, type VapiFake } from '../fakes/vapi-fake';

let vapi: VapiFake;
let provider: VapiVoiceProvider;

beforeAll(async () => {
  vapi = await startVapiFake();
  provider = new VapiVoiceProvider({ apiKey: VAPI_FAKE_KEY, baseUrl: vapi.url, assistantId: 'asst-default' });
});
afterAll(() => vapi.close());
beforeEach(() => vapi.reset());

function call(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    channel: 'voice',
    clientId: 'client-1',
    idempotencyKey: 'sequence:camp-1:lead-1:touch:4',
    to: { name: 'Jane Lead', phone: '+61412345678' },
    from: { name: 'Sam', resource: 'pn-123' },
    subject: 'Ops hiring',
    text: 'Mention the case study; ask for a 15 minute call.',
    metadata: { campaign_id: 'camp-1' },
    ...over,
  };
}

describe('VapiVoiceProvider.send', () => {
  it('creates the call with Bearer auth, assistant, number, customer and metadata', async () => {
    const result = await provider.send(call());

    const req = vapi.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/call');
    expect(req.headers.authorization).toBe(`Bearer ${VAPI_FAKE_KEY}`);
    expect(req.body).toEqual({
      assistantId: 'asst-default',
      phoneNumberId: 'pn-123',
      customer: { number: '+61412345678', name: 'Jane Lead' },
      assistantOverrides: {
        variableValues: {
          talkingPoints: 'Mention the case study; ask for a 15 minute call.',
          subject: 'Ops hiring',
          leadName: 'Jane Lead',
          senderName: 'Sam',
        },
        metadata: { campaign_id: 'camp-1', idempotency_key: 'sequence:camp-1:lead-1:touch:4', client_id: 'client-1' },
      },
    });
    expect(result).toEqual({ providerMessageId: vapi.calls[0].id });
  });

  it('resolves a send resource given as an E.164 number to Vapi’s phone number id, once', async () => {
    const byNumber = new VapiVoiceProvider({ apiKey: VAPI_FAKE_KEY, baseUrl: vapi.url, assistantId: 'asst-default' });
    await byNumber.send(call({ from: { name: 'Sam', resource: VAPI_FAKE_NUMBER.number } }));
    await byNumber.send(call({ from: { name: 'Sam', resource: VAPI_FAKE_NUMBER.number }, idempotencyKey: 'k2' }));
    expect(vapi.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /phone-number', 'POST /call', 'POST /call']);
    expect(vapi.requests[1].body).toMatchObject({ phoneNumberId: VAPI_FAKE_NUMBER.id });
  });

  it('fails retryably for a number Vapi does not have', async () => {
    const err = await provider.send(call({ from: { name: 'Sam', resource: '+61499999999' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect(vapi.calls).toHaveLength(0);
  });

  it('uses a per-touch assistant from metadata', async () => {
    await provider.send(call({ metadata: { vapi_assistant_id: 'asst-special' } }));
    expect(vapi.requests[0].body).toMatchObject({ assistantId: 'asst-special' });
  });

  it('refuses a touch without a valid number before calling Vapi', async () => {
    await expect(provider.send(call({ to: { name: 'X', phone: '0412 345' } }))).rejects.toBeInstanceOf(PermanentSendError);
    expect(vapi.requests).toHaveLength(0);
  });

  it('fails retryably (configuration) without an assistant or phone number id', async () => {
    const noAssistant = new VapiVoiceProvider({ apiKey: VAPI_FAKE_KEY, baseUrl: vapi.url });
    const a = await noAssistant.send(call()).catch((e: unknown) => e);
    const b = await provider.send(call({ from: { name: 'Sam' } })).catch((e: unknown) => e);
    for (const err of [a, b]) {
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(PermanentSendError);
    }
    expect(vapi.requests).toHaveLength(0);
  });
});

describe('VapiVoiceProvider errors', () => {
  it('maps a 400 rejection to PermanentSendError with Vapi’s message', async () => {
    vapi.failNext(400, { message: ['customer.number must be a valid phone number in the E.164 format.'], error: 'Bad Request', statusCode: 400 });
    const err = await provider.send(call()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain('E.164');
  });

  it.each([401, 404, 429, 500, 503])('treats HTTP %s as retryable', async (status) => {
    vapi.failNext(status, { message: 'nope', statusCode: status });
    const err = await provider.send(call()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain(`HTTP ${status}`);
  });

  it('treats a dropped connection as retryable', async () => {
    vapi.dropNext();
    const err = await provider.send(call()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });
});

describe('VapiVoiceProvider.findSent', () => {
  it('finds the call by the idempotency key in its metadata', async () => {
    const since = new Date();
    const sent = await provider.send(call());
    await provider.send(call({ idempotencyKey: 'sequence:camp-1:lead-2:touch:4' }));
    vapi.requests.length = 0;

    await expect(provider.findSent(call(), since)).resolves.toEqual(sent);
    const req = vapi.requests[0];
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/call');
    expect(req.headers.authorization).toBe(`Bearer ${VAPI_FAKE_KEY}`);
    expect(req.query.get('phoneNumberId')).toBe('pn-123');
    expect(req.query.get('limit')).toBe('100');
    expect(new Date(req.query.get('createdAtGt')!).getTime()).toBeLessThan(since.getTime());
  });

  it('returns null when no call carries the key', async () => {
    await provider.send(call());
    await expect(provider.findSent(call({ idempotencyKey: 'other:touch:1' }), new Date(Date.now() - 1000))).resolves.toBeNull();
  });

  it('fails retryably, without calling again, when Vapi accepts a call but answers no id', async () => {
    vapi.failNext(201, 'created');
    const err = await provider.send(call()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });

  it('fails retryably when the search fails', async () => {
    vapi.failNext(500, { message: 'boom' });
    const err = await provider.findSent(call(), new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });
});
