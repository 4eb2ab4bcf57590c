// Apify's synchronous actor run as the enrichment driver uses it:
// `POST /v2/acts/<actor>/run-sync-get-dataset-items` (token as `Authorization: Bearer` or `?token=`),
// the actor input as the JSON body, answering 201 with the dataset items. The fake actor follows
// the contract documented in src/integrations/apify/enrichment.ts: a `company` item per known
// domain and a `person` item per known LinkedIn URL.
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export const APIFY_FAKE_TOKEN = 'apify-test-token';
export const APIFY_FAKE_ACTOR = 'agency-os~lead-signals';

export interface ApifyFake extends HttpFake {
  /** Company items by domain. */
  companies: Map<string, Record<string, unknown>>;
  /** Person items by LinkedIn URL (as sent). */
  people: Map<string, Record<string, unknown>>;
}

export async function startApifyFake(opts: { token?: string; actor?: string } = {}): Promise<ApifyFake> {
  const token = opts.token ?? APIFY_FAKE_TOKEN;
  const actor = opts.actor ?? APIFY_FAKE_ACTOR;
  const companies = new Map<string, Record<string, unknown>>();
  const people = new Map<string, Record<string, unknown>>();
  const denied = (req: RecordedRequest) => {
    const given = req.headers.authorization?.replace(/^Bearer /, '') ?? req.query.get('token');
    return given !== token ? { status: 401, body: { error: { type: 'token-not-provided', message: 'Authentication token was not provided' } } } : null;
  };
  const fake = await startFake([
    {
      method: 'POST',
      path: '/v2/acts/:actor/run-sync-get-dataset-items',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        if (req.params.actor !== actor) return { status: 404, body: { error: { type: 'record-not-found', message: 'Actor was not found' } } };
        const input = (req.body ?? {}) as { companyDomain?: string; personLinkedinUrl?: string };
        const items: Record<string, unknown>[] = [];
        const company = input.companyDomain ? companies.get(input.companyDomain) : undefined;
        if (company) items.push({ kind: 'company', domain: input.companyDomain, ...company });
        const person = input.personLinkedinUrl ? people.get(input.personLinkedinUrl) : undefined;
        if (person) items.push({ kind: 'person', linkedinUrl: input.personLinkedinUrl, ...person });
        // A scraper's per-URL failure item, which the driver must ignore.
        if (input.companyDomain && !company) items.push({ url: `https://www.linkedin.com/company/${input.companyDomain}`, error: 'Page not found' });
        return { status: 201, body: items };
      },
    },
  ]);
  return Object.assign(fake, { companies, people });
}
