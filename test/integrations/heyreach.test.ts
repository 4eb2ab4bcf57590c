import { PermanentSendError, type OutboundMessage } from '../../src/integrations/channels';
import { HeyReachLinkedInProvider } from '../../src/integrations/heyreach/linkedin-provider';
import { HEYREACH_FAKE_CAMPAIGN, HEYREACH_FAKE_KEY, startHeyReachFake, type HeyReachFake } from '../fakes/heyreach-fake';

let hr: HeyReachFake;
let provider: HeyReachLinkedInProvider;

beforeAll(async () => {
  hr = await startHeyReachFake();
  provider = new HeyReachLinkedInProvider({ apiKey: HEYREACH_FAKE_KEY, baseUrl: hr.url, campaignId: HEYREACH_FAKE_CAMPAIGN });
});
afterAll(() => hr.close());
beforeEach(() => hr.reset());

function touch(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    channel: 'linkedin',
    clientId: 'client-1',
    idempotencyKey: 'sequence:camp-1:lead-1:touch:2',
    to: { name: 'Jane van der Lead', linkedinUrl: 'https://www.linkedin.com/in/jane-lead', email: 'jane@prospect.example' },
    from: { name: 'Sam', resource: '9001' },
    text: 'Hi Jane, saw your post on ops hiring.',
    metadata: {},
    ...over,
  };
}

describe('HeyReachLinkedInProvider.send', () => {
  it('enrols the lead in the campaign with the message as a custom variable', async () => {
    const result = await provider.send(touch());

    const req = hr.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/campaign/AddLeadsToCampaignV2');
    expect(req.headers['x-api-key']).toBe(HEYREACH_FAKE_KEY);
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.body).toEqual({
      campaignId: HEYREACH_FAKE_CAMPAIGN,
      accountLeadPairs: [
        {
          linkedInAccountId: 9001,
          lead: {
            profileUrl: 'https://www.linkedin.com/in/jane-lead',
            firstName: 'Jane',
            lastName: 'van der Lead',
            emailAddress: 'jane@prospect.example',
            customUserFields: [
              { name: 'message', value: 'Hi Jane, saw your post on ops hiring.' },
              { name: 'idempotency_key', value: 'sequence:camp-1:lead-1:touch:2' },
            ],
          },
        },
      ],
    });
    expect(result.providerMessageId).toMatch(new RegExp(`^heyreach:campaign:${HEYREACH_FAKE_CAMPAIGN}:[0-9a-f]{16}$`));
    expect(hr.enrollments[0].fields.message).toBe('Hi Jane, saw your post on ops hiring.');
  });

  it('sends into an existing conversation through the inbox', async () => {
    const result = await provider.send(touch({ metadata: { heyreach_conversation_id: 'conv-77' }, subject: 'Re: hiring' }));
    expect(hr.requests[0].path).toBe('/inbox/SendMessage');
    expect(hr.requests[0].body).toEqual({
      message: 'Hi Jane, saw your post on ops hiring.',
      subject: 'Re: hiring',
      conversationId: 'conv-77',
      linkedInAccountId: 9001,
    });
    expect(result.providerMessageId).toMatch(/^heyreach:conversation:conv-77:[0-9a-f]{16}$/);
  });

  it('enrols a repeated first touch once (HeyReach updates the existing lead)', async () => {
    const a = await provider.send(touch());
    const b = await provider.send(touch());
    expect(b).toEqual(a);
    expect(hr.enrollments).toHaveLength(1);
  });

  it('takes the campaign from metadata when given', async () => {
    hr.campaigns.add(77);
    await provider.send(touch({ metadata: { heyreach_campaign_id: '77' } }));
    expect(hr.requests[0].body).toMatchObject({ campaignId: 77 });
  });

  it('refuses a touch without a LinkedIn profile before calling HeyReach', async () => {
    const err = await provider.send(touch({ to: { name: 'X', linkedinUrl: 'https://example.com/x' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(hr.requests).toHaveLength(0);
  });

  it('fails retryably (configuration) without a seat or a campaign', async () => {
    const noSeat = await provider.send(touch({ from: { name: 'Sam' } })).catch((e: unknown) => e);
    expect(noSeat).not.toBeInstanceOf(PermanentSendError);
    const noCampaign = new HeyReachLinkedInProvider({ apiKey: HEYREACH_FAKE_KEY, baseUrl: hr.url });
    const err = await noCampaign.send(touch()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect(hr.requests).toHaveLength(0);
  });
});

describe('HeyReachLinkedInProvider errors', () => {
  it('maps a 400 rejection to PermanentSendError', async () => {
    hr.failNext(400, { errorMessage: 'Invalid profile url' });
    const err = await provider.send(touch()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain('Invalid profile url');
  });

  it.each([401, 404, 429, 500, 503])('treats HTTP %s as retryable', async (status) => {
    hr.failNext(status, { errorMessage: 'nope' });
    const err = await provider.send(touch()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain(`HTTP ${status}`);
  });

  it('treats a dropped connection as retryable', async () => {
    hr.dropNext();
    const err = await provider.send(touch()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
  });

  it('maps a lead HeyReach could not add to PermanentSendError', async () => {
    hr.failNext(200, { addedLeadsCount: 0, updatedLeadsCount: 0, failedLeadsCount: 1 });
    await expect(provider.send(touch())).rejects.toBeInstanceOf(PermanentSendError);
  });

  it('cannot find a sent touch (HeyReach has no key to look up), so findSent answers null', async () => {
    await provider.send(touch());
    hr.requests.length = 0;
    await expect(provider.findSent(touch(), new Date(0))).resolves.toBeNull();
    expect(hr.requests).toHaveLength(0);
  });
});
