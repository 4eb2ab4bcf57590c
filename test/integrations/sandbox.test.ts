import { loadConfig } from '../../src/config';
import { createChannelProviders } from '../../src/integrations/channel-registry';
import { PermanentSendError, type ChannelName, type OutboundMessage } from '../../src/integrations/channels';
import { PrismaSandboxRecorder } from '../../src/integrations/sandbox/prisma-recorder';
import { MemorySandboxRecorder, SandboxChannelProvider, sandboxMessageId, sandboxThreadId } from '../../src/integrations/sandbox/sandbox-provider';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { POSTMARK_FAKE_TOKEN, startPostmarkFake } from '../fakes/postmark-fake';
import { TWILIO_FAKE_SID, TWILIO_FAKE_TOKEN, startTwilioFake } from '../fakes/twilio-fake';

const recipients: Record<ChannelName, OutboundMessage['to']> = {
  email: { name: 'Jane Lead', email: 'jane@prospect.example' },
  sms: { name: 'Jane Lead', phone: '+61412345678' },
  voice: { name: 'Jane Lead', phone: '+61412345678' },
  linkedin: { name: 'Jane Lead', linkedinUrl: 'https://www.linkedin.com/in/jane-lead' },
  mail: { name: 'Jane Lead', postalAddress: '1 George St\nSydney NSW 2000\nAustralia' },
};

function touch(channel: ChannelName, over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    channel,
    clientId: 'client-1',
    idempotencyKey: `sequence:camp-1:lead-1:touch:${channel}`,
    to: recipients[channel],
    from: { name: 'Sam', email: 'sam@agency.example', resource: 'res-1' },
    subject: 'Hello',
    text: 'Hi Jane',
    headers: channel === 'email' ? { 'List-Unsubscribe': '<https://agency.example/u/t>' } : undefined,
    metadata: { campaign_id: 'camp-1' },
    ...over,
  };
}

describe('SandboxChannelProvider', () => {
  it('records instead of sending, with ids derived from the idempotency key', async () => {
    const recorder = new MemorySandboxRecorder();
    const email = new SandboxChannelProvider('email', 'postmark', recorder);
    const result = await email.send(touch('email'));

    const key = 'sequence:camp-1:lead-1:touch:email';
    expect(email.sandbox).toBe(true);
    expect(result.providerMessageId).toBe(sandboxMessageId(key));
    expect(result.providerMessageId).toMatch(/^sandbox-[0-9a-f]{24}$/);
    expect(result.threadId).toBe(sandboxThreadId(key));
    expect(result.threadId).toMatch(/^<[0-9a-f]{24}@sandbox\.agency-os\.local>$/);
    expect(recorder.records).toHaveLength(1);
    expect(recorder.records[0]).toMatchObject({
      clientId: 'client-1',
      channel: 'email',
      provider: 'postmark',
      recipient: 'jane@prospect.example',
      idempotencyKey: key,
      payload: {
        subject: 'Hello',
        text: 'Hi Jane',
        threadId: result.threadId,
        headers: {
          'List-Unsubscribe': '<https://agency.example/u/t>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Message-ID': result.threadId,
        },
      },
    });

    // A repeat of the same touch is the same message, recorded once.
    await expect(email.send(touch('email'))).resolves.toEqual(result);
    expect(recorder.records).toHaveLength(1);
  });

  it.each(['sms', 'voice', 'linkedin', 'mail'] as const)('records a %s touch without a thread id', async (channel) => {
    const recorder = new MemorySandboxRecorder();
    const result = await new SandboxChannelProvider(channel, 'x', recorder).send(touch(channel));
    expect(result).toEqual({ providerMessageId: sandboxMessageId(touch(channel).idempotencyKey) });
    expect(recorder.records[0].channel).toBe(channel);
  });

  it('records a mail recipient as one line', async () => {
    const recorder = new MemorySandboxRecorder();
    await new SandboxChannelProvider('mail', 'clicksend', recorder).send(touch('mail'));
    expect(recorder.records[0].recipient).toBe('1 George St, Sydney NSW 2000, Australia');
  });

  it.each([
    ['email', { name: 'X' }],
    ['email', { email: 'not-an-address' }],
    ['sms', { phone: '0412 345 678' }],
    ['voice', { email: 'x@y.example' }],
    ['linkedin', { linkedinUrl: 'https://example.com/jane' }],
    ['mail', { postalAddress: 'somewhere nice' }],
  ] as const)('refuses a %s touch to %j like the real driver', async (channel, to) => {
    const recorder = new MemorySandboxRecorder();
    const provider = new SandboxChannelProvider(channel, 'x', recorder);
    await expect(provider.send(touch(channel, { to }))).rejects.toBeInstanceOf(PermanentSendError);
    expect(recorder.records).toHaveLength(0);
  });

  it('refuses an email without List-Unsubscribe, like the real driver', async () => {
    const provider = new SandboxChannelProvider('email', 'postmark', new MemorySandboxRecorder());
    await expect(provider.send(touch('email', { headers: {} }))).rejects.toBeInstanceOf(PermanentSendError);
  });

  it('rejects a touch for another channel', async () => {
    const provider = new SandboxChannelProvider('sms', 'twilio', new MemorySandboxRecorder());
    await expect(provider.send(touch('email'))).rejects.toThrow('sms sandbox was given a email touch');
  });

  it('finds a recorded touch and nothing else', async () => {
    const provider = new SandboxChannelProvider('email', 'postmark', new MemorySandboxRecorder());
    const sent = await provider.send(touch('email'));
    await expect(provider.findSent(touch('email'), new Date())).resolves.toEqual(sent);
    await expect(provider.findSent(touch('email', { idempotencyKey: 'other' }), new Date())).resolves.toBeNull();
    await expect(provider.findSent(touch('email', { clientId: 'client-2' }), new Date())).resolves.toBeNull();
  });
});

describe('PrismaSandboxRecorder', () => {
  let tdb: TestDatabase;
  let recorder: PrismaSandboxRecorder;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    recorder = new PrismaSandboxRecorder(tdb.db);
  });
  afterAll(() => tdb?.drop());

  it('stores a sandbox send in sandbox_outbox with the key in the payload', async () => {
    const provider = new SandboxChannelProvider('email', 'postmark', recorder);
    const sent = await provider.send(touch('email', { clientId: 'client-db-1' }));

    const rows = await tdb.db.sandboxMessage.findMany({ where: { clientId: 'client-db-1' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: 'email',
      provider: 'postmark',
      recipient: 'jane@prospect.example',
      providerMessageId: sent.providerMessageId,
    });
    expect(rows[0].payload).toMatchObject({ idempotencyKey: 'sequence:camp-1:lead-1:touch:email', threadId: sent.threadId });

    await expect(provider.findSent(touch('email', { clientId: 'client-db-1' }), new Date())).resolves.toEqual(sent);
  });

  it('keeps one row when the same key is recorded twice, even concurrently', async () => {
    const provider = new SandboxChannelProvider('sms', 'twilio', recorder);
    const msg = touch('sms', { clientId: 'client-db-2' });
    const results = await Promise.all([provider.send(msg), provider.send(msg), provider.send(msg)]);
    await provider.send({ ...msg, text: 'changed on retry' });

    expect(new Set(results.map((r) => r.providerMessageId)).size).toBe(1);
    const rows = await tdb.db.sandboxMessage.findMany({ where: { clientId: 'client-db-2' } });
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toMatchObject({ text: 'Hi Jane' });
  });

  it('finds by key within the client only', async () => {
    const provider = new SandboxChannelProvider('linkedin', 'heyreach', recorder);
    await provider.send(touch('linkedin', { clientId: 'client-db-3' }));

    const found = await recorder.find('sequence:camp-1:lead-1:touch:linkedin', 'client-db-3');
    expect(found).toMatchObject({
      clientId: 'client-db-3',
      channel: 'linkedin',
      provider: 'heyreach',
      recipient: 'https://www.linkedin.com/in/jane-lead',
      idempotencyKey: 'sequence:camp-1:lead-1:touch:linkedin',
    });
    await expect(recorder.find('sequence:camp-1:lead-1:touch:linkedin', 'someone-else')).resolves.toBeNull();
    await expect(recorder.find('never-recorded', 'client-db-3')).resolves.toBeNull();
  });
});

describe('createChannelProviders', () => {
  it('uses every sandbox twin when no credentials are configured', () => {
    const providers = createChannelProviders(loadConfig({}), new MemorySandboxRecorder());
    for (const [channel, provider] of Object.entries(providers)) {
      expect(provider.sandbox).toBe(true);
      expect(provider.channel).toBe(channel);
    }
    expect(Object.fromEntries(Object.entries(providers).map(([c, p]) => [c, p.provider]))).toEqual({
      email: 'postmark',
      sms: 'twilio',
      linkedin: 'heyreach',
      voice: 'vapi',
      mail: 'clicksend',
    });
  });

  it('uses each real driver when its credentials are configured', () => {
    const providers = createChannelProviders(
      loadConfig({
        POSTMARK_SERVER_TOKEN: 't',
        TWILIO_ACCOUNT_SID: TWILIO_FAKE_SID,
        TWILIO_AUTH_TOKEN: 't',
        HEYREACH_API_KEY: 'k',
        VAPI_API_KEY: 'k',
        CLICKSEND_USERNAME: 'u',
        CLICKSEND_API_KEY: 'k',
      }),
      new MemorySandboxRecorder(),
    );
    for (const provider of Object.values(providers)) expect(provider.sandbox).toBe(false);
  });

  it('keeps the sandbox when only half of a credential pair is set', () => {
    const providers = createChannelProviders(loadConfig({ TWILIO_ACCOUNT_SID: TWILIO_FAKE_SID }), new MemorySandboxRecorder());
    expect(providers.sms.sandbox).toBe(true);
  });

  it('points real drivers at the configured base URLs', async () => {
    const pm = await startPostmarkFake();
    const tw = await startTwilioFake();
    try {
      const providers = createChannelProviders(
        loadConfig({
          POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN,
          POSTMARK_BASE_URL: pm.url,
          POSTMARK_MESSAGE_STREAM: 'broadcast',
          TWILIO_ACCOUNT_SID: TWILIO_FAKE_SID,
          TWILIO_AUTH_TOKEN: TWILIO_FAKE_TOKEN,
          TWILIO_BASE_URL: tw.url,
        }),
        new MemorySandboxRecorder(),
      );
      await providers.email.send(touch('email'));
      await providers.sms.send(touch('sms', { from: { name: 'Sam', resource: '+61480000001' } }));
      expect(pm.sent[0].MessageStream).toBe('broadcast');
      expect(tw.sent).toHaveLength(1);
    } finally {
      await pm.close();
      await tw.close();
    }
  });
});
