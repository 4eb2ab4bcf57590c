// Postmark's inbound Messages API as the recovery sweep uses it (GET /messages/inbound with count,
// offset, fromdate; GET /messages/inbound/:id/details), plus POST /email so sequences can send
// through the same fake. Messages are added by the test as full inbound-webhook bodies.
import { randomUUID } from 'node:crypto';
import { startFake, type HttpFake, type RecordedRequest } from '../fakes/http-fake';

export const POSTMARK_INBOUND_TOKEN = 'pm-inbound-test-token';

export interface PostmarkInboundFake extends HttpFake {
  inbound: Record<string, unknown>[];
}

export async function startPostmarkInboundFake(): Promise<PostmarkInboundFake> {
  const inbound: Record<string, unknown>[] = [];
  const denied = (req: RecordedRequest) =>
    req.headers['x-postmark-server-token'] !== POSTMARK_INBOUND_TOKEN
      ? { status: 401, body: { ErrorCode: 10, Message: 'Bad or missing Server API token.' } }
      : null;

  const fake = await startFake([
    {
      method: 'GET',
      path: '/messages/inbound',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const count = Number(req.query.get('count'));
        const offset = Number(req.query.get('offset'));
        if (!Number.isInteger(count) || !Number.isInteger(offset) || count < 1 || count > 500) {
          return { status: 422, body: { ErrorCode: 1204, Message: 'Count and offset are required.' } };
        }
        // Newest first, as Postmark lists them.
        const all = [...inbound].reverse();
        return {
          body: {
            TotalCount: all.length,
            InboundMessages: all.slice(offset, offset + count).map((m) => ({
              From: m.From,
              FromName: m.FromName ?? '',
              FromFull: m.FromFull,
              To: m.To,
              ToFull: m.ToFull ?? [],
              Subject: m.Subject,
              Date: m.Date,
              MailboxHash: m.MailboxHash ?? '',
              MessageID: m.MessageID,
              Status: 'Processed',
              Attachments: [],
              MessageStream: 'inbound',
            })),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/messages/inbound/:id/details',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const m = inbound.find((x) => x.MessageID === req.params.id);
        return m
          ? { body: { ...m, Status: 'Processed', BlockedReason: '' } }
          : { status: 422, body: { ErrorCode: 701, Message: 'This message was not found.' } };
      },
    },
    {
      method: 'POST',
      path: '/email',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const b = (req.body ?? {}) as Record<string, unknown>;
        return { body: { To: b.To, SubmittedAt: new Date().toISOString(), MessageID: randomUUID(), ErrorCode: 0, Message: 'OK' } };
      },
    },
    {
      method: 'GET',
      path: '/messages/outbound',
      handler: () => ({ body: { TotalCount: 0, Messages: [] } }),
    },
  ]);
  return Object.assign(fake, { inbound });
}
