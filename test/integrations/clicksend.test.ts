import { PermanentSendError, type ChannelProvider, type OutboundMessage } from '../../src/integrations/channels';
import { ClickSendMailProvider, parsePostalAddress } from '../../src/integrations/clicksend/mail-provider';
import { CLICKSEND_FAKE_KEY, CLICKSEND_FAKE_USER, startClickSendFake, type ClickSendFake } from '../fakes/clicksend-fake';

let cs: ClickSendFake;
let provider: ClickSendMailProvider;

beforeAll(async () => {
  cs = await startClickSendFake();
  provider = new ClickSendMailProvider({ username: CLICKSEND_FAKE_USER, apiKey: CLICKSEND_FAKE_KEY, baseUrl: cs.url, returnAddressId: 12 });
});
afterAll(() => cs.close());
beforeEach(() => cs.reset());

function letter(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    channel: 'mail',
    clientId: 'client-1',
    idempotencyKey: 'sequence:camp-1:lead-1:touch:5',
    to: { name: 'Jane Lead', postalAddress: 'Level 3\n1 George St\nSydney NSW 2000\nAustralia' },
    from: { name: 'Sam' },
    text: 'Dear Jane, …',
    metadata: { letter_pdf_url: 'https://files.agency.example/letters/abc.pdf' },
    ...over,
  };
}

describe('parsePostalAddress', () => {
  it('reads street lines, locality and country from lines or commas', () => {
    expect(parsePostalAddress('Level 3\n1 George St\nSydney NSW 2000\nAustralia')).toEqual({
      line1: 'Level 3',
      line2: '1 George St',
      city: 'Sydney',
      state: 'NSW',
      postalCode: '2000',
      country: 'Australia',
    });
    expect(parsePostalAddress('500 Congress Ave, Austin TX 78701, US')).toEqual({
      line1: '500 Congress Ave',
      city: 'Austin',
      state: 'TX',
      postalCode: '78701',
      country: 'US',
    });
  });

  it('rejects addresses without locality or country', () => {
    expect(parsePostalAddress('1 George St, Sydney')).toBeNull();
    expect(parsePostalAddress('1 George St\nSydney NSW\nAustralia')).toBeNull();
    expect(parsePostalAddress(undefined)).toBeNull();
  });
});

describe('ClickSendMailProvider.send', () => {
  it('posts the letter with Basic auth, PDF URL, address and return address', async () => {
    const result = await provider.send(letter());

    const req = cs.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v3/post/letters/send');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${CLICKSEND_FAKE_USER}:${CLICKSEND_FAKE_KEY}`).toString('base64')}`);
    expect(req.body).toEqual({
      file_url: 'https://files.agency.example/letters/abc.pdf',
      template_used: 0,
      colour: 0,
      duplex: 0,
      priority_post: 0,
      source: 'agency-os',
      recipients: [
        {
          address_name: 'Jane Lead',
          address_line_1: 'Level 3',
          address_line_2: '1 George St',
          address_city: 'Sydney',
          address_state: 'NSW',
          address_postal_code: '2000',
          address_country: 'Australia',
          return_address_id: 12,
          schedule: 0,
        },
      ],
    });
    expect(result).toEqual({ providerMessageId: cs.letters[0].message_id });
  });

  it('uses the send resource as the return address id when given', async () => {
    await provider.send(letter({ from: { name: 'Sam', resource: '34' } }));
    expect((cs.requests[0].body as { recipients: { return_address_id: number }[] }).recipients[0].return_address_id).toBe(34);
  });

  it('refuses an unparseable address or a missing PDF before calling ClickSend', async () => {
    await expect(provider.send(letter({ to: { name: 'X', postalAddress: 'somewhere' } }))).rejects.toBeInstanceOf(PermanentSendError);
    await expect(provider.send(letter({ metadata: {} }))).rejects.toBeInstanceOf(PermanentSendError);
    expect(cs.requests).toHaveLength(0);
  });

  it('fails retryably (configuration) without a return address id', async () => {
    const bare = new ClickSendMailProvider({ username: CLICKSEND_FAKE_USER, apiKey: CLICKSEND_FAKE_KEY, baseUrl: cs.url });
    const err = await bare.send(letter()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });
});

describe('ClickSendMailProvider errors', () => {
  it('maps a 400 rejection to PermanentSendError', async () => {
    cs.failNext(400, { http_code: 400, response_code: 'BAD_REQUEST', response_msg: 'Invalid address.', data: null });
    const err = await provider.send(letter()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).providerCode).toBe('BAD_REQUEST');
  });

  it('maps a recipient ClickSend did not queue to PermanentSendError', async () => {
    cs.failNext(200, {
      http_code: 200,
      response_code: 'SUCCESS',
      response_msg: 'Letters queued for delivery.',
      data: { recipients: [{ message_id: 'X', status: 'INVALID_RECIPIENT' }] },
    });
    const err = await provider.send(letter()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).providerCode).toBe('INVALID_RECIPIENT');
  });

  it.each([401, 429, 500, 503])('treats HTTP %s as retryable', async (status) => {
    cs.failNext(status, { http_code: status, response_code: 'ERR', response_msg: 'nope', data: null });
    const err = await provider.send(letter()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain(`HTTP ${status}`);
  });

  it('treats a dropped connection as retryable', async () => {
    cs.dropNext();
    await expect(provider.send(letter())).rejects.not.toBeInstanceOf(PermanentSendError);
  });

  it('never fails a letter ClickSend accepted, even without a message id', async () => {
    cs.failNext(200, { http_code: 200, response_code: 'SUCCESS', response_msg: 'ok', data: {} });
    await expect(provider.send(letter())).resolves.toEqual({ providerMessageId: 'clicksend:sequence:camp-1:lead-1:touch:5' });
  });

  it('does not offer findSent (letters cannot be searched by our key)', () => {
    expect((provider as ChannelProvider).findSent).toBeUndefined();
  });
});
