// The lead-enrichment provider interface (Apollo, Apify, Clay), the normalised record every driver
// returns, and what a sandbox driver may derive from the lead's own data. The scout engine depends
// on this file only, never on a provider's wire format.
import { isWorkDomain } from '../shared/domain/email-domains';

export type EnrichmentSource = 'apollo' | 'apify' | 'clay';

/** What we already know about the lead: the identifiers a provider matches on. */
export interface LookupInput {
  /** Correlates a lookup with its lead (sent to providers that echo a reference back). */
  ref: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  linkedinUrl?: string | null;
  companyDomain?: string | null;
  companyName?: string | null;
}

/** What a verifier (or the provider) says about an address; the scorer's EmailStatus. */
export type EmailStatus = 'valid' | 'catch_all' | 'unknown' | 'invalid';

export interface PersonData {
  firstName?: string;
  lastName?: string;
  title?: string;
  /** Provider's seniority label, e.g. "founder", "c_suite", "director". */
  seniority?: string;
  linkedinUrl?: string;
  /** E.164 when the provider gives it sanitised. */
  phone?: string;
  /** Only about the lead's own address (never about another address the provider knows). */
  emailStatus?: EmailStatus;
  city?: string;
  state?: string;
  country?: string;
  /** IANA zone, when the provider knows it. */
  timeZone?: string;
  /** ISO date the person started the current role. */
  roleStartedAt?: string;
}

export interface CompanyData {
  name?: string;
  domain?: string;
  industry?: string;
  employees?: number;
  /** USD per year. */
  annualRevenue?: number;
  foundedYear?: number;
  technologies?: string[];
  linkedinUrl?: string;
  city?: string;
  state?: string;
  country?: string;
  /** The company's street address and postcode (with city, state and country: its postal address). */
  streetAddress?: string;
  postalCode?: string;
}

export interface FundingEvent {
  /** ISO date. */
  date: string;
  type?: string;
  amount?: string;
}

export interface RecentPost {
  /** ISO date-time. */
  postedAt: string;
  url?: string;
  text?: string;
}

export interface SignalData {
  hiring?: boolean;
  openJobs?: number;
  jobTitles?: string[];
  /** ISO date of the latest funding round. */
  lastFundingAt?: string;
  fundingEvents?: FundingEvent[];
  /** Percent over the last six months (12 = +12%). */
  headcountGrowthPct?: number;
  /** ISO date a relevant technology was adopted. */
  techAdoptedAt?: string;
  recentPosts?: RecentPost[];
}

/** A field path a sandbox derived from the lead's own data, and from what. */
export interface DerivedField {
  field: 'company.domain' | 'company.country';
  from: 'email' | 'companyDomain';
}

export interface ProviderResult {
  source: EnrichmentSource;
  /** False: the provider had no record (a normal outcome, not an error). */
  found: boolean;
  person?: PersonData;
  company?: CompanyData;
  signals?: SignalData;
  /** Set by sandbox drivers: these fields come from the lead itself, not from the provider. */
  derived?: DerivedField[];
  /** Provider-specific note, e.g. Clay's "queued" (enrichment will finish inside Clay later). */
  note?: string;
}

export interface EnrichmentProvider {
  readonly source: EnrichmentSource;
  readonly sandbox: boolean;
  lookup(input: LookupInput): Promise<ProviderResult>;
}

export interface EnrichmentDrivers {
  apollo: EnrichmentProvider;
  apify: EnrichmentProvider;
  clay: EnrichmentProvider;
}

/** A provider call that failed (as opposed to "not found"). */
export class EnrichmentProviderError extends Error {
  constructor(
    readonly source: EnrichmentSource,
    message: string,
    /** Rate limits, 5xx and network errors pass; bad credentials or requests do not. */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(`${source}: ${message}`);
    this.name = 'EnrichmentProviderError';
  }
}

/** 408/425/429 and 5xx are worth retrying; other statuses are the request's or account's fault. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * POSTs JSON and returns the parsed body (undefined for an empty one). Errors never include the URL
 * or headers, which may carry credentials.
 */
export async function postJson(
  source: EnrichmentSource,
  url: string,
  body: unknown,
  opts: { headers?: Record<string, string>; timeoutMs: number; notFoundStatuses?: number[] },
): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
      body: JSON.stringify(body ?? {}),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'TimeoutError' ? `timed out after ${opts.timeoutMs} ms` : `network error (${e.name})`;
    throw new EnrichmentProviderError(source, why, true);
  }
  const text = await res.text();
  if (!res.ok && !opts.notFoundStatuses?.includes(res.status)) {
    throw new EnrichmentProviderError(source, `HTTP ${res.status}: ${errorText(text)}`, retryableStatus(res.status), res.status);
  }
  if (text.trim() === '') return { status: res.status, body: undefined };
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    // A body that is not JSON (SyntaxError) on an answer we must read: the provider misbehaved.
    throw new EnrichmentProviderError(source, `HTTP ${res.status} with a body that is not JSON`, false, res.status);
  }
}

function errorText(body: string): string {
  try {
    const b = JSON.parse(body) as { error?: unknown; message?: unknown };
    const e = b.error as { message?: unknown } | string | undefined;
    const msg = typeof e === 'string' ? e : typeof e?.message === 'string' ? e.message : b.message;
    if (typeof msg === 'string') return msg.slice(0, 200);
  } catch {
    // An error body that is not JSON (SyntaxError): the status line is the message.
    // not JSON: fall through
  }
  return body.slice(0, 200);
}

// ---------------------------------------------------------------------------------------------
// What a sandbox may derive from the lead's own data (nothing else: no people, titles or phones).
// ---------------------------------------------------------------------------------------------

// Registries of these country domains require a local presence, so the country is evidence, not a guess.
const CC_TLD_COUNTRY: Readonly<Record<string, string>> = { au: 'AU', nz: 'NZ', uk: 'GB', ca: 'CA', ie: 'IE', sg: 'SG' };

/** `Jane@Acme.COM` → `acme.com`; null for a malformed address. */
export function emailDomainOf(email: string | null | undefined): string | null {
  const m = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/.exec((email ?? '').trim().toLowerCase());
  return m ? m[1] : null;
}

/** `https://www.Acme.com/about` → `acme.com`. */
export function normalizeDomain(value: string | null | undefined): string | null {
  const v = (value ?? '').trim().toLowerCase();
  if (!v) return null;
  const host = v
    .replace(/^[a-z]+:\/\//, '')
    .split(/[/?#:]/)[0]
    .replace(/^www\./, '');
  return /^[a-z0-9.-]+\.[a-z]{2,}$/.test(host) ? host : null;
}

/**
 * The company facts the lead's own data supports: the domain of a work (non-free-mail) address, and
 * the country of a country-code domain. Every value is listed in `derived`.
 */
export function deriveFromLead(input: LookupInput): Pick<ProviderResult, 'company' | 'derived'> {
  const derived: DerivedField[] = [];
  const company: CompanyData = {};
  const fromEmail = emailDomainOf(input.email);
  const given = normalizeDomain(input.companyDomain);
  // A consumer or throwaway address says nothing about the lead's employer.
  if (!given && fromEmail && isWorkDomain(fromEmail)) {
    company.domain = fromEmail;
    derived.push({ field: 'company.domain', from: 'email' });
  }
  const domain = given ?? company.domain;
  const tld = domain?.split('.').pop();
  if (domain && tld && CC_TLD_COUNTRY[tld]) {
    company.country = CC_TLD_COUNTRY[tld];
    derived.push({ field: 'company.country', from: given ? 'companyDomain' : 'email' });
  }
  return derived.length > 0 ? { company, derived } : {};
}

// ---------------------------------------------------------------------------------------------
// Lenient readers for provider JSON: a wrong-typed or empty field is absent, never an error.
// ---------------------------------------------------------------------------------------------

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export function asNumber(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** An ISO date-time for anything Date can parse (`2023-08-01`, `2023-08-01T00:00:00.000+00:00`). */
export function asIsoDate(v: unknown): string | undefined {
  const s = asString(v);
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function asStringList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.map(asString).filter((s): s is string => s !== undefined);
  return out.length > 0 ? out : undefined;
}

/** Drops undefined values so records stay small and compare equal after a JSON round trip. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
