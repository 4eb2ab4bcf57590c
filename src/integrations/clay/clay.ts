// Clay as the last enrichment step: one row per lead POSTed to a Clay table's inbound webhook,
// `POST /v3/sources/webhook/<CLAY_ENRICHMENT_WEBHOOK_ID>` with the `x-clay-webhook-auth` header.
//
// Assumed shape (Clay tables are configured per workspace, so this is our contract with the table):
//   request  { ref, email?, first_name?, last_name?, company_domain?, company_name?, linkedin_url? }
//   response once the table's enrichment columns have run (the table, or a thin relay in front of
//   it, answers synchronously):
//     { status: "found", person?: { first_name?, last_name?, title?, seniority?, phone?, linkedin_url?,
//       city?, state?, country? }, company?: { name?, domain?, industry?, employee_count?,
//       annual_revenue?, founded_year?, linkedin_url?, country? } }
//     { status: "not_found" }
//   A bare acknowledgement (202, or a body without `status`, which is what a plain inbound webhook
//   answers) means the row was queued inside Clay: nothing for now, not an error.
import {
  asNumber,
  asRecord,
  asString,
  compact,
  normalizeDomain,
  postJson,
  type CompanyData,
  type EnrichmentProvider,
  type LookupInput,
  type PersonData,
  type ProviderResult,
} from '../enrichment';

export const CLAY_DEFAULT_BASE_URL = 'https://api.clay.com';

export interface ClayOptions {
  apiKey: string;
  webhookId: string;
  /** Default https://api.clay.com. */
  baseUrl?: string;
  timeoutMs?: number;
}

export class ClayEnrichment implements EnrichmentProvider {
  readonly source = 'clay' as const;
  readonly sandbox = false;
  private readonly url: string;

  constructor(private readonly opts: ClayOptions) {
    const base = (opts.baseUrl ?? CLAY_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.url = `${base}/v3/sources/webhook/${encodeURIComponent(opts.webhookId)}`;
  }

  async lookup(input: LookupInput): Promise<ProviderResult> {
    const row = compact({
      ref: input.ref,
      email: input.email?.trim().toLowerCase() || undefined,
      first_name: input.firstName?.trim() || undefined,
      last_name: input.lastName?.trim() || undefined,
      company_domain: normalizeDomain(input.companyDomain) ?? undefined,
      company_name: input.companyName?.trim() || undefined,
      linkedin_url: input.linkedinUrl?.trim() || undefined,
    });
    if (!row.email && !row.linkedin_url && !(row.company_domain && row.last_name)) {
      return { source: this.source, found: false, note: 'not enough to match on' };
    }
    const { status, body } = await postJson(this.source, this.url, row, {
      headers: { 'x-clay-webhook-auth': this.opts.apiKey },
      timeoutMs: this.opts.timeoutMs ?? 60_000,
    });
    const answer = asRecord(body);
    if (status === 202 || !answer || typeof answer.status !== 'string') return { source: this.source, found: false, note: 'queued' };
    if (answer.status !== 'found') return { source: this.source, found: false };
    return { source: this.source, found: true, ...mapClayRow(answer) };
  }
}

/** Clay's answer → our record. Exported for tests. */
export function mapClayRow(answer: Record<string, unknown>): Pick<ProviderResult, 'person' | 'company'> {
  const p = asRecord(answer.person);
  const c = asRecord(answer.company);
  const out: Pick<ProviderResult, 'person' | 'company'> = {};
  if (p) {
    out.person = compact<PersonData>({
      firstName: asString(p.first_name),
      lastName: asString(p.last_name),
      title: asString(p.title),
      seniority: asString(p.seniority),
      phone: asString(p.phone),
      linkedinUrl: asString(p.linkedin_url),
      city: asString(p.city),
      state: asString(p.state),
      country: asString(p.country),
    });
  }
  if (c) {
    out.company = compact<CompanyData>({
      name: asString(c.name),
      domain: normalizeDomain(asString(c.domain)) ?? undefined,
      industry: asString(c.industry),
      employees: asNumber(c.employee_count),
      annualRevenue: asNumber(c.annual_revenue),
      foundedYear: asNumber(c.founded_year),
      linkedinUrl: asString(c.linkedin_url),
      country: asString(c.country),
    });
  }
  return out;
}

/** Offline twin: Clay adds nothing the lead's data supports that Apollo's sandbox did not. */
export class SandboxClayEnrichment implements EnrichmentProvider {
  readonly source = 'clay' as const;
  readonly sandbox = true;
  readonly lookups: LookupInput[] = [];

  async lookup(input: LookupInput): Promise<ProviderResult> {
    this.lookups.push(input);
    return { source: this.source, found: false };
  }
}
