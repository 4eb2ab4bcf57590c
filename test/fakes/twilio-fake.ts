// Twilio's Messages resource (2010-04-01) as the SMS driver uses it: create and list, with Basic
// auth, form-encoded bodies, Twilio's JSON message resource and its error body (code/message/status).
import { randomBytes } from 'node:crypto';
import { basicAuth, startFake, type HttpFake, type RecordedRequest } from './http-fake';

export const TWILIO_FAKE_SID = `AC${'0'.repeat(31)}1`;
export const TWILIO_FAKE_TOKEN = 'twilio-test-auth-token';

export interface TwilioFakeMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  direction: string;
  status_callback?: string;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
}

export interface TwilioFake extends HttpFake {
  /** Every message created (newest last), including ones added with `addMessage`. */
  sent: TwilioFakeMessage[];
  /** Numbers that replied STOP: creates to them fail with 21610. */
  optedOut: Set<string>;
  /** Seeds a message as if it had been created earlier (e.g. before a crash). */
  addMessage(m: Partial<TwilioFakeMessage> & { to: string; body: string }): TwilioFakeMessage;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

function twilioError(status: number, code: number, message: string) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export async function startTwilioFake(opts: { accountSid?: string; authToken?: string } = {}): Promise<TwilioFake> {
  const sid = opts.accountSid ?? TWILIO_FAKE_SID;
  const token = opts.authToken ?? TWILIO_FAKE_TOKEN;
  const sent: TwilioFakeMessage[] = [];
  const optedOut = new Set<string>();

  const denied = (req: RecordedRequest) => {
    const auth = basicAuth(req.headers);
    if (!auth || auth[0] !== sid || auth[1] !== token || req.params.sid !== sid) {
      return twilioError(401, 20003, 'Authenticate');
    }
    return null;
  };

  const addMessage: TwilioFake['addMessage'] = (m) => {
    const now = new Date();
    const msg: TwilioFakeMessage = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      account_sid: sid,
      from: null,
      messaging_service_sid: null,
      status: 'queued',
      direction: 'outbound-api',
      date_created: rfc2822(now),
      date_updated: rfc2822(now),
      date_sent: null,
      ...m,
    };
    sent.push(msg);
    return msg;
  };

  const resource = (m: TwilioFakeMessage) => ({
    ...m,
    api_version: '2010-04-01',
    num_segments: '1',
    num_media: '0',
    price: null,
    price_unit: 'USD',
    error_code: null,
    error_message: null,
    uri: `/2010-04-01/Accounts/${sid}/Messages/${m.sid}.json`,
    subresource_uris: { media: `/2010-04-01/Accounts/${sid}/Messages/${m.sid}/Media.json` },
  });

  const fake = await startFake([
    {
      method: 'POST',
      path: '/2010-04-01/Accounts/:sid/Messages.json',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const f = (req.body ?? {}) as Record<string, string>;
        if (!f.To) return twilioError(400, 21604, "A 'To' phone number is required.");
        if (!E164.test(f.To)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${f.To}`);
        if (!f.From && !f.MessagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
        if (!f.Body) return twilioError(400, 21602, 'Message body is required.');
        if (optedOut.has(f.To)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
        const msg = addMessage({
          to: f.To,
          from: f.From ?? null,
          messaging_service_sid: f.MessagingServiceSid ?? null,
          body: f.Body,
          status: f.MessagingServiceSid ? 'accepted' : 'queued',
          status_callback: f.StatusCallback,
        });
        return { status: 201, body: resource(msg) };
      },
    },
    {
      method: 'GET',
      path: '/2010-04-01/Accounts/:sid/Messages.json',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const q = req.query;
        const pageSize = Number(q.get('PageSize') ?? 50);
        let list = [...sent].reverse();
        if (q.get('To')) list = list.filter((m) => m.to === q.get('To'));
        if (q.get('From')) list = list.filter((m) => m.from === q.get('From'));
        const after = q.get('DateSent>');
        if (after) list = list.filter((m) => m.date_sent !== null && new Date(m.date_sent) >= new Date(after));
        const uri = `/2010-04-01/Accounts/${sid}/Messages.json?PageSize=${pageSize}&Page=0`;
        return {
          body: {
            messages: list.slice(0, pageSize).map(resource),
            end: Math.min(list.length, pageSize) - 1,
            first_page_uri: uri,
            next_page_uri: null,
            page: 0,
            page_size: pageSize,
            previous_page_uri: null,
            start: 0,
            uri,
          },
        };
      },
    },
  ]);

  const clearRequests = fake.reset;
  fake.reset = () => {
    clearRequests();
    sent.length = 0;
    optedOut.clear();
  };
  return Object.assign(fake, { sent, optedOut, addMessage });
}
