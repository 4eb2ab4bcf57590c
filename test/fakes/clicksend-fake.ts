// ClickSend REST v3 letters as the mail driver uses it: POST /v3/post/letters/send with Basic auth
// and ClickSend's envelope ({ http_code, response_code, response_msg, data }).
import { randomUUID } from 'node:crypto';
import { basicAuth, startFake, type HttpFake } from './http-fake';

export const CLICKSEND_FAKE_USER = 'clicksend-user';
export const CLICKSEND_FAKE_KEY = 'clicksend-test-api-key';

export interface ClickSendFakeRecipient {
  address_name: string;
  address_line_1: string;
  address_line_2?: string;
  address_city: string;
  address_state?: string;
  address_postal_code: string;
  address_country: string;
  return_address_id: number;
  schedule?: number;
}

export interface ClickSendFakeLetter {
  message_id: string;
  file_url: string;
  template_used?: number;
  colour?: number;
  duplex?: number;
  priority_post?: number;
  recipient: ClickSendFakeRecipient;
}

export interface ClickSendFake extends HttpFake {
  letters: ClickSendFakeLetter[];
}

const envelope = (status: number, code: string, msg: string, data: unknown = null) => ({
  status,
  body: { http_code: status, response_code: code, response_msg: msg, data },
});

export async function startClickSendFake(opts: { username?: string; apiKey?: string } = {}): Promise<ClickSendFake> {
  const username = opts.username ?? CLICKSEND_FAKE_USER;
  const apiKey = opts.apiKey ?? CLICKSEND_FAKE_KEY;
  const letters: ClickSendFakeLetter[] = [];

  const fake = await startFake([
    {
      method: 'POST',
      path: '/v3/post/letters/send',
      handler: (req) => {
        const auth = basicAuth(req.headers);
        if (!auth || auth[0] !== username || auth[1] !== apiKey) return envelope(401, 'UNAUTHORIZED', 'Unauthorized');
        const b = (req.body ?? {}) as Omit<ClickSendFakeLetter, 'message_id' | 'recipient'> & {
          recipients?: ClickSendFakeRecipient[];
        };
        if (!b.file_url) return envelope(400, 'BAD_REQUEST', 'The file url field is required.');
        if (!Array.isArray(b.recipients) || b.recipients.length === 0) {
          return envelope(400, 'BAD_REQUEST', 'The recipients field is required.');
        }
        const now = Math.floor(Date.now() / 1000);
        const queued = b.recipients.map((r) => {
          const complete = r.address_line_1 && r.address_city && r.address_postal_code && r.address_country && r.return_address_id;
          const message_id = randomUUID().toUpperCase();
          if (complete) {
            const { recipients: _all, ...options } = b;
            letters.push({ ...options, message_id, recipient: r });
          }
          return {
            date_added: now,
            user_id: 1,
            message_id,
            status: complete ? 'SUCCESS' : 'INVALID_RECIPIENT',
            schedule: now,
            post_pages: 1,
            post_price: 1.49,
            ...r,
          };
        });
        return envelope(200, 'SUCCESS', 'Letters queued for delivery.', {
          total_price: 1.49 * letters.length,
          total_count: queued.length,
          queued_count: queued.filter((q) => q.status === 'SUCCESS').length,
          recipients: queued,
          _currency: { currency_name_short: 'AUD', currency_prefix_d: '$' },
        });
      },
    },
  ]);

  const clearRequests = fake.reset;
  fake.reset = () => {
    clearRequests();
    letters.length = 0;
  };
  return Object.assign(fake, { letters });
}
