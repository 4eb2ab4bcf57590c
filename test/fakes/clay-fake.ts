// A Clay table's inbound webhook as the enrichment driver uses it (the contract documented in
// src/integrations/clay/clay.ts): `POST /v3/sources/webhook/<id>` with `x-clay-webhook-auth`, one
// row per lead, answering `{ status: "found", person, company }` or `{ status: "not_found" }` — or,
// with `mode.acknowledgeOnly`, the plain `{}` acknowledgement of an asynchronous table.
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export const CLAY_FAKE_KEY = 'clay-test-webhook-auth';
export const CLAY_FAKE_WEBHOOK_ID = 'pull-in-data-from-a-webhook-0f6b2a';

export interface ClayFakeRecord {
  person?: Record<string, unknown>;
  company?: Record<string, unknown>;
}

export interface ClayFake extends HttpFake {
  /** Answers by lead email (or LinkedIn URL). */
  records: Map<string, ClayFakeRecord>;
  /** Rows received, in order. */
  rows: Record<string, unknown>[];
  /** Set `acknowledgeOnly` to answer like a plain asynchronous table. */
  mode: { acknowledgeOnly: boolean };
}

export async function startClayFake(opts: { apiKey?: string; webhookId?: string } = {}): Promise<ClayFake> {
  const apiKey = opts.apiKey ?? CLAY_FAKE_KEY;
  const webhookId = opts.webhookId ?? CLAY_FAKE_WEBHOOK_ID;
  const records = new Map<string, ClayFakeRecord>();
  const rows: Record<string, unknown>[] = [];
  const denied = (req: RecordedRequest) => (req.headers['x-clay-webhook-auth'] !== apiKey ? { status: 401, body: { message: 'Unauthorized' } } : null);
  const mode = { acknowledgeOnly: false };
  const fake = await startFake([
    {
      method: 'POST',
      path: '/v3/sources/webhook/:id',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        if (req.params.id !== webhookId) return { status: 404, body: { message: 'Webhook not found' } };
        const row = (req.body ?? {}) as Record<string, unknown>;
        rows.push(row);
        if (mode.acknowledgeOnly) return { status: 200, body: {} };
        const hit = records.get(String(row.email ?? '')) ?? records.get(String(row.linkedin_url ?? ''));
        return { body: hit ? { status: 'found', ...hit } : { status: 'not_found' } };
      },
    },
  ]);
  return Object.assign(fake, { records, rows, mode });
}
