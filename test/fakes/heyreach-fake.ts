// HeyReach's public API as the LinkedIn driver uses it: AddLeadsToCampaignV2 and inbox SendMessage,
// with the X-API-KEY header and HeyReach's `{ errorMessage }` error body.
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export const HEYREACH_FAKE_KEY = 'heyreach-test-api-key';
export const HEYREACH_FAKE_CAMPAIGN = 4242;

export interface HeyReachLeadPair {
  linkedInAccountId: number;
  lead: {
    profileUrl: string;
    firstName?: string;
    lastName?: string;
    emailAddress?: string;
    customUserFields?: { name: string; value: string }[];
  };
}

export interface HeyReachEnrollment extends HeyReachLeadPair {
  campaignId: number;
  /** customUserFields by name. */
  fields: Record<string, string>;
}

export interface HeyReachSentMessage {
  conversationId: string;
  linkedInAccountId: number;
  message: string;
  subject?: string;
}

export interface HeyReachFake extends HttpFake {
  /** Leads enrolled per campaign (one entry per campaign + profile URL, as HeyReach dedupes). */
  enrollments: HeyReachEnrollment[];
  /** Inbox messages sent into existing conversations. */
  messages: HeyReachSentMessage[];
  campaigns: Set<number>;
}

export async function startHeyReachFake(opts: { apiKey?: string } = {}): Promise<HeyReachFake> {
  const apiKey = opts.apiKey ?? HEYREACH_FAKE_KEY;
  const enrollments: HeyReachEnrollment[] = [];
  const messages: HeyReachSentMessage[] = [];
  const campaigns = new Set([HEYREACH_FAKE_CAMPAIGN]);

  const denied = (req: RecordedRequest) => (req.headers['x-api-key'] !== apiKey ? { status: 401, body: { errorMessage: 'Invalid API key' } } : null);

  const fake = await startFake([
    {
      method: 'POST',
      path: '/campaign/AddLeadsToCampaignV2',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const b = req.body as { campaignId?: number; accountLeadPairs?: HeyReachLeadPair[] };
        if (!b?.campaignId || !Array.isArray(b.accountLeadPairs)) {
          return { status: 400, body: { errors: { CampaignId: ['The CampaignId field is required.'] }, status: 400 } };
        }
        if (!campaigns.has(b.campaignId)) return { status: 404, body: { errorMessage: 'Campaign not found' } };
        let added = 0;
        let updated = 0;
        let failed = 0;
        for (const pair of b.accountLeadPairs) {
          if (!/linkedin\.com\//i.test(pair.lead?.profileUrl ?? '')) {
            failed++;
            continue;
          }
          const fields = Object.fromEntries((pair.lead.customUserFields ?? []).map((f) => [f.name, f.value]));
          const entry = { ...pair, campaignId: b.campaignId, fields };
          const i = enrollments.findIndex((e) => e.campaignId === b.campaignId && e.lead.profileUrl === pair.lead.profileUrl);
          if (i >= 0) {
            enrollments[i] = entry;
            updated++;
          } else {
            enrollments.push(entry);
            added++;
          }
        }
        return { body: { addedLeadsCount: added, updatedLeadsCount: updated, failedLeadsCount: failed } };
      },
    },
    {
      method: 'POST',
      path: '/inbox/SendMessage',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const b = req.body as Partial<HeyReachSentMessage>;
        if (!b?.conversationId || !b.linkedInAccountId || !b.message) {
          return { status: 400, body: { errorMessage: 'conversationId, linkedInAccountId and message are required' } };
        }
        messages.push(b as HeyReachSentMessage);
        return { status: 200 };
      },
    },
  ]);

  const clearRequests = fake.reset;
  fake.reset = () => {
    clearRequests();
    enrollments.length = 0;
    messages.length = 0;
  };
  return Object.assign(fake, { enrollments, messages, campaigns });
}
