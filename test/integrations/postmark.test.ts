import { PermanentSendError, type OutboundMessage } from '../../src/integrations/channels';
import { PostmarkEmailProvider, emailMessageId, formatAddress, idempotencyMetadataValue } from '../../src/integrations/postmark/email-provider';
import { POSTMARK_FAKE_TOKEN, startPostmarkFake, type PostmarkFake } from '../fakes/postmark-fake';

let pm: PostmarkFake;
let provider: PostmarkEmailProvider;

beforeAll(async () => {
  pm = await startPostmarkFake();
  provider = new PostmarkEmailProvider({ serverToken: POSTMARK_FAKE_TOKEN, baseUrl: pm.url });
});
afterAll(() => pm.close());
beforeEach(() => pm.reset());

function email(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    channel: 'email',
    clientId: 'client-1',
    idempotencyKey: 'sequence:camp-1:lead-1:touch:1',
    to: { name: 'Jane Lead', email: 'jane@prospect.example' },
    from: { name: 'Sam Sender', email: 'sam@agency.example', resource: 'agency.example' },
    subject: 'Quick question',
    text: 'Hi Jane',
    html: '<p>Hi Jane</p>',
    headers: {
      'List-Unsubscribe': '<https://agency.example/u/tok>, <mailto:unsub@agency.example>',
    },
    metadata: { campaign_id: 'camp-1' },
    ...over,
  };
}

describe('PostmarkEmailProvider.send', () => {
  it('sends through the SDK with auth, addresses, bodies, stream, tracking and metadata', async () => {
    const result = await provider.send(email());

    expect(pm.requests).toHaveLength(1);
    const req = pm.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/email');
    expect(req.headers['x-postmark-server-token']).toBe(POSTMARK_FAKE_TOKEN);
    expect(req.headers['user-agent']).toMatch(/^Postmark\.JS/);
    expect(req.body).toMatchObject({
      From: 'Sam Sender <sam@agency.example>',
      To: 'Jane Lead <jane@prospect.example>',
      Subject: 'Quick question',
      TextBody: 'Hi Jane',
      HtmlBody: '<p>Hi Jane</p>',
      MessageStream: 'outbound',
      TrackOpens: true,
      Metadata: { campaign_id: 'camp-1', idempotency_key: 'sequence:camp-1:lead-1:touch:1' },
    });

    const sent = pm.sent[0];
    expect(result.providerMessageId).toBe(sent.MessageID);
    expect(result.threadId).toMatch(/^<[0-9a-f]{32}@agency\.example>$/);
    expect(sent.Headers['Message-ID']).toBe(result.threadId);
    expect(sent.Headers['List-Unsubscribe']).toBe('<https://agency.example/u/tok>, <mailto:unsub@agency.example>');
    expect(sent.Headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('threads a follow-up on the first message and keeps one Message-ID per idempotency key', async () => {
    const first = await provider.send(email());
    const followUp = email({
      idempotencyKey: 'sequence:camp-1:lead-1:touch:3',
      subject: 'Re: Quick question',
      headers: {
        'List-Unsubscribe': '<https://agency.example/u/tok>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'In-Reply-To': first.threadId!,
        References: first.threadId!,
        'Message-ID': '<caller-supplied@elsewhere>',
      },
    });
    const second = await provider.send(followUp);

    const headers = pm.sent[1].Headers;
    expect(headers['In-Reply-To']).toBe(first.threadId);
    expect(headers.References).toBe(first.threadId);
    expect(headers['Message-ID']).toBe(second.threadId);
    expect(second.threadId).not.toBe(first.threadId);
    expect(Object.keys(headers).filter((h) => h.toLowerCase() === 'message-id')).toHaveLength(1);
    // A retry of the same touch regenerates the same Message-ID.
    expect(emailMessageId(followUp)).toBe(second.threadId);
  });

  it('stores an over-long idempotency key as a digest within the metadata value limit', async () => {
    const key = `sequence:${'c'.repeat(36)}:${'l'.repeat(36)}:touch:6`;
    await provider.send(email({ idempotencyKey: key }));
    const stored = pm.sent[0].Metadata.idempotency_key;
    expect(stored).toBe(idempotencyMetadataValue(key));
    expect(stored).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('quotes display names with special characters', () => {
    expect(formatAddress('Doe, Jane "JJ"', 'j@x.example')).toBe('"Doe, Jane \\"JJ\\"" <j@x.example>');
    expect(formatAddress(undefined, 'j@x.example')).toBe('j@x.example');
  });

  it('refuses an email without List-Unsubscribe before calling Postmark', async () => {
    await expect(provider.send(email({ headers: {} }))).rejects.toBeInstanceOf(PermanentSendError);
    expect(pm.requests).toHaveLength(0);
  });

  it('refuses a recipient without a valid email permanently, without calling Postmark', async () => {
    const err = await provider.send(email({ to: { name: 'No Email' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).providerCode).toBe('invalid_recipient');
    expect(pm.requests).toHaveLength(0);
  });
});

describe('PostmarkEmailProvider errors', () => {
  it('maps 406 inactive recipient to PermanentSendError', async () => {
    pm.inactive.add('jane@prospect.example');
    const err = await provider.send(email()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).providerCode).toBe(406);
  });

  it('maps 300 invalid email request to PermanentSendError', async () => {
    pm.failNext(422, { ErrorCode: 300, Message: "Invalid 'To' address: 'jane@'." });
    const err = await provider.send(email()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).providerCode).toBe(300);
  });

  it('treats sender/account problems (422 code 400) as retryable', async () => {
    pm.failNext(422, { ErrorCode: 400, Message: 'Sender signature not defined for From address.' });
    const err = await provider.send(email()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });

  it.each([
    [429, { ErrorCode: 429, Message: 'Rate limit exceeded' }],
    [500, { ErrorCode: 0, Message: 'Internal server error' }],
    [503, 'Service Unavailable'],
  ])('treats HTTP %s as retryable', async (status, body) => {
    pm.failNext(status, body);
    const err = await provider.send(email()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain(`HTTP ${status}`);
  });

  it('treats a dropped connection as retryable', async () => {
    pm.dropNext();
    const err = await provider.send(email()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });

  it('treats a bad server token as retryable (fixable configuration)', async () => {
    const wrong = new PostmarkEmailProvider({ serverToken: 'wrong', baseUrl: pm.url });
    const err = await wrong.send(email()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain('HTTP 401');
  });
});

describe('PostmarkEmailProvider.findSent', () => {
  it('finds a sent message by its idempotency key in metadata', async () => {
    const sent = await provider.send(email());
    await provider.send(email({ idempotencyKey: 'sequence:camp-1:lead-2:touch:1' }));
    pm.requests.length = 0;

    const found = await provider.findSent(email(), new Date(Date.now() - 60_000));
    expect(found).toEqual(sent);
    const req = pm.requests[0];
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/messages/outbound');
    expect(req.query.get('metadata_idempotency_key')).toBe('sequence:camp-1:lead-1:touch:1');
    expect(req.query.get('count')).toBe('10');
    expect(req.query.get('offset')).toBe('0');
    expect(req.headers['x-postmark-server-token']).toBe(POSTMARK_FAKE_TOKEN);
  });

  it('searches by the digest for an over-long key', async () => {
    const key = `sequence:${'c'.repeat(40)}:${'l'.repeat(40)}:touch:2`;
    const sent = await provider.send(email({ idempotencyKey: key }));
    await expect(provider.findSent(email({ idempotencyKey: key }), new Date())).resolves.toEqual(sent);
  });

  it('returns null when nothing carries the key', async () => {
    await provider.send(email());
    await expect(provider.findSent(email({ idempotencyKey: 'sequence:camp-1:lead-1:touch:2' }), new Date())).resolves.toBeNull();
  });

  it('fails retryably when the search itself fails', async () => {
    pm.failNext(500, { ErrorCode: 0, Message: 'boom' }, 1, (r) => r.path === '/messages/outbound');
    await provider.send(email()); // not matched by the injected failure
    const err = await provider.findSent(email(), new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });
});
