// A client's webhook receiver on loopback: records every POST and checks its signature with the
// `standardwebhooks` library, as a receiver following the spec would. Answers 200 unless told to fail.
import { Webhook } from 'standardwebhooks';
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export interface ReceivedWebhook {
  id: string;
  /** Webhook.verify's result, or its error message. */
  verified: boolean;
  verifyError?: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> & { eventId: string; leadId: string | null; leadSeq: number | null } };
  request: RecordedRequest;
}

export interface WebhookReceiver {
  fake: HttpFake;
  url: string;
  /** The endpoint's secret, once the API has shown it. */
  secret?: string;
  received(): ReceivedWebhook[];
  /** Resolves when `n` requests have arrived (polls; bounded by the test's timeout). */
  waitFor(n: number): Promise<ReceivedWebhook[]>;
}

export async function startWebhookReceiver(path = '/hooks/agency-os'): Promise<WebhookReceiver> {
  const fake = await startFake([{ method: 'POST', path, handler: () => ({ status: 200, body: { ok: true } }) }]);
  const receiver: WebhookReceiver = {
    fake,
    url: `${fake.url}${path}`,
    received: () =>
      fake.requests.map((request) => {
        let verified = false;
        let verifyError: string | undefined;
        try {
          new Webhook(receiver.secret ?? 'whsec_').verify(request.rawBody, request.headers as Record<string, string>);
          verified = true;
        } catch (err) {
          verifyError = err instanceof Error ? err.message : String(err);
        }
        return {
          id: String(request.headers['webhook-id']),
          verified,
          verifyError,
          payload: JSON.parse(request.rawBody) as ReceivedWebhook['payload'],
          request,
        };
      }),
    waitFor: async (n) => {
      while (fake.requests.length < n) await new Promise((r) => setTimeout(r, 50));
      return receiver.received();
    },
  };
  return receiver;
}
