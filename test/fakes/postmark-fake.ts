// Postmark's API as far as the email driver uses it: POST /email and GET /messages/outbound, with
// Postmark's success and error bodies (ErrorCode/Message). Accepted emails are kept for search.
import { randomUUID } from 'node:crypto';
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export const POSTMARK_FAKE_TOKEN = 'pm-test-server-token';

export interface PostmarkSentEmail {
  MessageID: string;
  From: string;
  To: string;
  Subject: string;
  TextBody?: string;
  HtmlBody?: string;
  /** Headers by name as sent (Name → Value). */
  Headers: Record<string, string>;
  Metadata: Record<string, string>;
  MessageStream?: string;
  TrackOpens?: boolean;
  ReceivedAt: string;
}

export interface PostmarkFake extends HttpFake {
  sent: PostmarkSentEmail[];
  /** Addresses Postmark answers 406 (inactive recipient) for. */
  inactive: Set<string>;
  /** Whether accepted emails show up in the Messages API search (Postmark indexes them shortly after). */
  searchable: boolean;
}

const bare = (addr: string) => (/<([^>]+)>/.exec(addr)?.[1] ?? addr).trim().toLowerCase();

export async function startPostmarkFake(opts: { token?: string } = {}): Promise<PostmarkFake> {
  const token = opts.token ?? POSTMARK_FAKE_TOKEN;
  const sent: PostmarkSentEmail[] = [];
  const inactive = new Set<string>();
  // Handlers read the returned object, so tests can flip `searchable` on it.
  const state = { searchable: true };

  const unauthorized = (req: RecordedRequest) =>
    req.headers['x-postmark-server-token'] !== token
      ? { status: 401, body: { ErrorCode: 10, Message: 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid.' } }
      : null;

  const fake = await startFake([
    {
      method: 'POST',
      path: '/email',
      handler: (req) => {
        const denied = unauthorized(req);
        if (denied) return denied;
        const b = (req.body ?? {}) as Record<string, unknown>;
        const to = typeof b.To === 'string' ? b.To : '';
        if (!to || typeof b.From !== 'string' || !b.From) {
          return { status: 422, body: { ErrorCode: 300, Message: "Invalid 'To' address: ''." } };
        }
        if (!b.TextBody && !b.HtmlBody) {
          return { status: 422, body: { ErrorCode: 300, Message: 'Provide either email TextBody or HtmlBody or both.' } };
        }
        if (inactive.has(bare(to))) {
          return {
            status: 422,
            body: {
              ErrorCode: 406,
              Message: `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${bare(to)}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`,
            },
          };
        }
        const headers: Record<string, string> = {};
        for (const h of (b.Headers as { Name: string; Value: string }[] | undefined) ?? []) headers[h.Name] = h.Value;
        const email: PostmarkSentEmail = {
          MessageID: randomUUID(),
          From: b.From,
          To: to,
          Subject: String(b.Subject ?? ''),
          TextBody: b.TextBody as string | undefined,
          HtmlBody: b.HtmlBody as string | undefined,
          Headers: headers,
          Metadata: (b.Metadata as Record<string, string> | undefined) ?? {},
          MessageStream: b.MessageStream as string | undefined,
          TrackOpens: b.TrackOpens as boolean | undefined,
          ReceivedAt: new Date().toISOString(),
        };
        sent.push(email);
        return {
          body: { To: to, SubmittedAt: email.ReceivedAt, MessageID: email.MessageID, ErrorCode: 0, Message: 'OK' },
        };
      },
    },
    {
      method: 'GET',
      path: '/messages/outbound',
      handler: (req) => {
        const denied = unauthorized(req);
        if (denied) return denied;
        const count = Number(req.query.get('count'));
        const offset = Number(req.query.get('offset'));
        if (!Number.isInteger(count) || !Number.isInteger(offset) || count < 1 || count > 500) {
          return { status: 422, body: { ErrorCode: 1204, Message: 'Count and offset are required.' } };
        }
        let matches = state.searchable ? [...sent].reverse() : [];
        const recipient = req.query.get('recipient')?.toLowerCase();
        if (recipient) matches = matches.filter((m) => bare(m.To) === recipient);
        for (const [k, v] of req.query) {
          if (k.startsWith('metadata_')) matches = matches.filter((m) => m.Metadata[k.slice('metadata_'.length)] === v);
        }
        return {
          body: {
            TotalCount: matches.length,
            Messages: matches.slice(offset, offset + count).map((m) => ({
              Tag: '',
              MessageID: m.MessageID,
              MessageStream: m.MessageStream ?? 'outbound',
              To: [{ Email: bare(m.To), Name: null }],
              Cc: [],
              Bcc: [],
              Recipients: [bare(m.To)],
              ReceivedAt: m.ReceivedAt,
              From: m.From,
              Subject: m.Subject,
              Attachments: [],
              Status: 'Sent',
              TrackOpens: m.TrackOpens ?? false,
              TrackLinks: 'None',
              Metadata: m.Metadata,
              Sandboxed: false,
            })),
          },
        };
      },
    },
  ]);

  const clearRequests = fake.reset;
  fake.reset = () => {
    clearRequests();
    sent.length = 0;
    inactive.clear();
    state.searchable = true;
  };
  return Object.defineProperties(fake as PostmarkFake, {
    sent: { value: sent, enumerable: true },
    inactive: { value: inactive, enumerable: true },
    searchable: {
      get: () => state.searchable,
      set: (v: boolean) => {
        state.searchable = v;
      },
      enumerable: true,
    },
  });
}
