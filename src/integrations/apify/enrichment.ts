// LinkedIn and company signals (hiring, recent posts, headcount growth, role start) from an Apify
// actor run: `POST /v2/acts/<actor>/run-sync-get-dataset-items?timeout=<s>` with the JSON input as
// the body; Apify runs the actor, waits (≤ 300 s) and answers with the run's dataset items. The token
// goes in the `Authorization: Bearer` header, which Apify accepts in place of `?token=` and which
// keeps it out of proxy and access logs.
//
// The actor (APIFY_ENRICHMENT_ACTOR) is expected to honour this contract, which a small wrapper
// actor around any LinkedIn company/profile scraper can provide:
//   input  { ref, companyDomain?, companyName?, personLinkedinUrl?, maxPosts }
//   output dataset items, at most one per kind; no items = nothing found:
//     { kind: "company", domain?, name?, linkedinUrl?, industry?, employeeCount?,
//       headcountGrowth6mPct?, hiring?, openJobs?, jobTitles?: string[],
//       lastFundingAt?, recentPosts?: [{ postedAt, url?, text? }] }
//     { kind: "person", linkedinUrl?, firstName?, lastName?, title?, roleStartedAt?,
//       city?, state?, country?, recentPosts?: [...] }
//   Items carrying an `error` field (a scraper's per-URL failure) are ignored.
import {
  asIsoDate,
  asNumber,
  asRecord,
  asString,
  asStringList,
  compact,
  emailDomainOf,
  normalizeDomain,
  postJson,
  type CompanyData,
  type EnrichmentProvider,
  type LookupInput,
  type PersonData,
  type ProviderResult,
  type RecentPost,
  type SignalData,
} from '../enrichment';
import { isWorkDomain } from '../../shared/domain/email-domains';

export const APIFY_DEFAULT_BASE_URL = 'https://api.apify.com';

export interface ApifyEnrichmentOptions {
  token: string;
  /** `username~actor-name` (a `/` is accepted and converted) or the actor's id. */
  actor: string;
  /** Default https://api.apify.com. */
  baseUrl?: string;
  /** Actor run timeout in seconds (Apify's synchronous endpoint waits at most 300). */
  timeoutSecs?: number;
  maxPosts?: number;
}

export interface ApifyEnrichmentInput {
  ref: string;
  companyDomain?: string;
  companyName?: string;
  personLinkedinUrl?: string;
  maxPosts: number;
}

/** The actor input for a lead, or null when there is nothing to scrape. */
export function apifyActorInput(input: LookupInput, maxPosts = 5): ApifyEnrichmentInput | null {
  const emailDomain = emailDomainOf(input.email);
  const companyDomain = normalizeDomain(input.companyDomain) ?? (emailDomain && isWorkDomain(emailDomain) ? emailDomain : null);
  const personLinkedinUrl = input.linkedinUrl?.trim() || undefined;
  if (!companyDomain && !personLinkedinUrl) return null;
  return compact({
    ref: input.ref,
    companyDomain: companyDomain ?? undefined,
    companyName: input.companyName?.trim() || undefined,
    personLinkedinUrl,
    maxPosts,
  });
}

export class ApifyEnrichment implements EnrichmentProvider {
  readonly source = 'apify' as const;
  readonly sandbox = false;
  private readonly baseUrl: string;

  constructor(private readonly opts: ApifyEnrichmentOptions) {
    this.baseUrl = (opts.baseUrl ?? APIFY_DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  async lookup(input: LookupInput): Promise<ProviderResult> {
    const actorInput = apifyActorInput(input, this.opts.maxPosts);
    if (!actorInput) return { source: this.source, found: false, note: 'no company domain or LinkedIn URL' };
    const timeoutSecs = this.opts.timeoutSecs ?? 120;
    const actor = encodeURIComponent(this.opts.actor.replace('/', '~'));
    const { body } = await postJson(
      this.source,
      `${this.baseUrl}/v2/acts/${actor}/run-sync-get-dataset-items?timeout=${timeoutSecs}&format=json&clean=true`,
      actorInput,
      // Apify may take the whole run timeout before answering.
      { headers: { authorization: `Bearer ${this.opts.token}` }, timeoutMs: (timeoutSecs + 15) * 1000 },
    );
    return { source: this.source, ...mapApifyItems(Array.isArray(body) ? body : []) };
  }
}

/** Dataset items → our record. Exported for tests. */
export function mapApifyItems(items: unknown[]): Omit<ProviderResult, 'source'> {
  const usable = items.map(asRecord).filter((i): i is Record<string, unknown> => i !== undefined && i.error === undefined);
  const company = usable.find((i) => i.kind === 'company');
  const person = usable.find((i) => i.kind === 'person');
  if (!company && !person) return { found: false };
  const out: Omit<ProviderResult, 'source'> = { found: true };
  const posts = [...readPosts(person?.recentPosts), ...readPosts(company?.recentPosts)].sort((a, b) => b.postedAt.localeCompare(a.postedAt));
  if (person) {
    out.person = compact<PersonData>({
      firstName: asString(person.firstName),
      lastName: asString(person.lastName),
      title: asString(person.title),
      linkedinUrl: asString(person.linkedinUrl),
      city: asString(person.city),
      state: asString(person.state),
      country: asString(person.country),
      roleStartedAt: asIsoDate(person.roleStartedAt),
    });
  }
  if (company) {
    out.company = compact<CompanyData>({
      name: asString(company.name),
      domain: normalizeDomain(asString(company.domain)) ?? undefined,
      industry: asString(company.industry),
      employees: asNumber(company.employeeCount),
      linkedinUrl: asString(company.linkedinUrl),
    });
  }
  const openJobs = asNumber(company?.openJobs);
  const signals = compact<SignalData>({
    hiring: typeof company?.hiring === 'boolean' ? company.hiring : openJobs !== undefined ? openJobs > 0 : undefined,
    openJobs,
    jobTitles: asStringList(company?.jobTitles),
    lastFundingAt: asIsoDate(company?.lastFundingAt),
    headcountGrowthPct: asNumber(company?.headcountGrowth6mPct),
    recentPosts: posts.length > 0 ? posts : undefined,
  });
  if (Object.keys(signals).length > 0) out.signals = signals;
  return out;
}

function readPosts(v: unknown): RecentPost[] {
  if (!Array.isArray(v)) return [];
  return v
    .map(asRecord)
    .map((p) => compact({ postedAt: asIsoDate(p?.postedAt) ?? '', url: asString(p?.url), text: asString(p?.text)?.slice(0, 500) }))
    .filter((p) => p.postedAt !== '');
}

/** Offline twin: signals cannot be derived from a lead's own data, so it never finds anything. */
export class SandboxApifyEnrichment implements EnrichmentProvider {
  readonly source = 'apify' as const;
  readonly sandbox = true;
  readonly lookups: LookupInput[] = [];

  async lookup(input: LookupInput): Promise<ProviderResult> {
    this.lookups.push(input);
    return { source: this.source, found: false };
  }
}
