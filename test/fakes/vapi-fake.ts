// Vapi's call API as the voice driver uses it: POST /call and GET /call (createdAtGt, limit,
// phoneNumberId filters), Bearer auth, and Vapi's NestJS-style error body.
import { randomUUID } from 'node:crypto';
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export const VAPI_FAKE_KEY = 'vapi-test-private-key';

export interface VapiFakeCall {
  id: string;
  orgId: string;
  type: 'outboundPhoneCall';
  status: string;
  createdAt: string;
  updatedAt: string;
  assistantId?: string;
  phoneNumberId?: string;
  customer?: { number: string; name?: string };
  assistantOverrides?: { variableValues?: Record<string, unknown>; metadata?: Record<string, unknown> };
}

export interface VapiFakePhoneNumber {
  id: string;
  number: string;
  provider: string;
}

export interface VapiFake extends HttpFake {
  /** Calls created, oldest first. */
  calls: VapiFakeCall[];
  /** Numbers imported into the account (GET /phone-number); seeded with VAPI_FAKE_NUMBER. */
  phoneNumbers: VapiFakePhoneNumber[];
}

export const VAPI_FAKE_NUMBER: VapiFakePhoneNumber = { id: 'pn-123', number: '+61480000009', provider: 'twilio' };

const E164 = /^\+[1-9]\d{6,14}$/;

function badRequest(message: string[]) {
  return { status: 400, body: { message, error: 'Bad Request', statusCode: 400 } };
}

export async function startVapiFake(opts: { apiKey?: string } = {}): Promise<VapiFake> {
  const apiKey = opts.apiKey ?? VAPI_FAKE_KEY;
  const calls: VapiFakeCall[] = [];
  const phoneNumbers: VapiFakePhoneNumber[] = [{ ...VAPI_FAKE_NUMBER }];

  const denied = (req: RecordedRequest) =>
    req.headers.authorization !== `Bearer ${apiKey}`
      ? {
          status: 401,
          body: {
            message: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
            error: 'Unauthorized',
            statusCode: 401,
          },
        }
      : null;

  const fake = await startFake([
    {
      method: 'POST',
      path: '/call',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const b = (req.body ?? {}) as Partial<VapiFakeCall>;
        const problems: string[] = [];
        if (!b.assistantId) problems.push('assistantId or assistant must be provided');
        if (!b.phoneNumberId) problems.push('phoneNumberId or phoneNumber must be provided');
        if (!b.customer?.number || !E164.test(b.customer.number)) {
          problems.push('customer.number must be a valid phone number in the E.164 format.');
        }
        if (problems.length) return badRequest(problems);
        const now = new Date().toISOString();
        const call: VapiFakeCall = {
          id: randomUUID(),
          orgId: '00000000-0000-4000-8000-000000000001',
          type: 'outboundPhoneCall',
          status: 'queued',
          createdAt: now,
          updatedAt: now,
          assistantId: b.assistantId,
          phoneNumberId: b.phoneNumberId,
          customer: b.customer,
          assistantOverrides: b.assistantOverrides,
        };
        calls.push(call);
        return { status: 201, body: call };
      },
    },
    {
      method: 'GET',
      path: '/call',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        const q = req.query;
        let list = [...calls].reverse();
        const gt = q.get('createdAtGt');
        if (gt) list = list.filter((c) => c.createdAt > new Date(gt).toISOString());
        if (q.get('phoneNumberId')) list = list.filter((c) => c.phoneNumberId === q.get('phoneNumberId'));
        if (q.get('assistantId')) list = list.filter((c) => c.assistantId === q.get('assistantId'));
        return { body: list.slice(0, Number(q.get('limit') ?? 100)) };
      },
    },
    {
      method: 'GET',
      path: '/phone-number',
      handler: (req) => denied(req) ?? { body: phoneNumbers.slice(0, Number(req.query.get('limit') ?? 100)) },
    },
  ]);

  const clearRequests = fake.reset;
  fake.reset = () => {
    clearRequests();
    calls.length = 0;
  };
  return Object.assign(fake, { calls, phoneNumbers });
}
