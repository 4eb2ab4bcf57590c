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
  /** With `fetchFiles`: the document downloaded from file_url, as ClickSend downloads it to print. */
  file?: { status: number; contentType: string | null; body: Buffer };
}

export interface ClickSendFake extends HttpFake {
  letters: ClickSendFakeLetter[];
}

const envelope = (status: number, code: string, msg: string, data: unknown = null) => ({
  status,
  body: { http_code: status, response_code: code, response_msg: msg, data },
});

/**
 * `fetchFiles`: download each letter's file_url when it is submitted (as ClickSend does to print it)
 * and refuse the letter (400 FILE_NOT_FOUND) unless that answers 200 with a PDF.
 */
export async function startClickSendFake(opts: { username?: string; apiKey?: string; fetchFiles?: boolean } = {}): Promise<ClickSendFake> {
  const username = opts.username ?? CLICKSEND_FAKE_USER;
  const apiKey = opts.apiKey ?? CLICKSEND_FAKE_KEY;
  const letters: ClickSendFakeLetter[] = [];

  const fake = await startFake([
    {
      method: 'POST',
      path: '/v3/post/letters/send',
      handler: async (req) => {
        const auth = basicAuth(req.headers);
        if (!auth || auth[0] !== username || auth[1] !== apiKey) return envelope(401, 'UNAUTHORIZED', 'Unauthorized');
        const b = (req.body ?? {}) as Omit<ClickSendFakeLetter, 'message_id' | 'recipient'> & {
          recipients?: ClickSendFakeRecipient[];
        };
        if (!b.file_url) return envelope(400, 'BAD_REQUEST', 'The file url field is required.');
        if (!Array.isArray(b.recipients) || b.recipients.length === 0) {
          return envelope(400, 'BAD_REQUEST', 'The recipients field is required.');
        }
        let file: ClickSendFakeLetter['file'];
        if (opts.fetchFiles) {
          const res = await fetch(b.file_url).catch(() => null);
          file = res ? { status: res.status, contentType: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) } : undefined;
          if (!file || file.status !== 200 || !file.body.subarray(0, 5).equals(Buffer.from('%PDF-'))) {
            return envelope(400, 'FILE_NOT_FOUND', `The file could not be downloaded (${file?.status ?? 'no answer'}).`);
          }
        }
        const now = Math.floor(Date.now() / 1000);
        const queued = b.recipients.map((r) => {
          const complete = r.address_line_1 && r.address_city && r.address_postal_code && r.address_country && r.return_address_id;
          const message_id = randomUUID().toUpperCase();
          if (complete) {
            const { recipients: _all, ...options } = b;
            letters.push({ ...options, message_id, recipient: r, ...(file ? { file } : {}) });
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
