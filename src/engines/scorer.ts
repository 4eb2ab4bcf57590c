// ALS, the Agency Lead Score: a pure function of what we know about a lead, the client's ICP and the
// client's weights. Deterministic: "recent" is measured against the `now` the caller passes.
//
//   score = dataQuality (0–20) + authority (0–25) + companyFit (0–25) + timing (0–15)
//         + (15 − risk)                     risk = deductions, 0–15
//
// Risk is reported as deductions (what the `alsRisk` column stores), but it is taken from a 15-point
// clean-record allowance rather than from the other components: with plain subtraction the best
// possible lead would score 85 and the 85–100 "hot" band would be a single value. So a perfect,
// riskless lead scores 100 and a worthless, risky one 0. The sum is clamped to 0–100 (it cannot
// leave that range, the clamp only guards future rule edits). A disqualified lead (unsubscribed,
// complained, competitor) is capped at 19, so it is always `dead`.
import { z } from 'zod';
import { isDisposableDomain, isFreeMailDomain } from '../shared/domain/email-domains';
import { auStateCode, countryCodeFromName } from '../shared/domain/places';

export type AlsTier = 'hot' | 'warm' | 'cool' | 'cold' | 'dead';
export const ALS_TIERS: readonly AlsTier[] = ['hot', 'warm', 'cool', 'cold', 'dead'];

/** Inclusive lower bound of each tier. */
export const TIER_FLOORS: Readonly<Record<AlsTier, number>> = { hot: 85, warm: 60, cool: 35, cold: 20, dead: 0 };

export const COMPONENT_MAX = { dataQuality: 20, authority: 25, companyFit: 25, timing: 15, risk: 15 } as const;
export type AlsComponent = keyof typeof COMPONENT_MAX;

/** Highest score a disqualified lead can get (top of the `dead` band). */
export const DISQUALIFIED_CAP = 19;

/** What an email verifier said about the address. */
export type EmailStatus = 'valid' | 'catch_all' | 'unknown' | 'invalid';

export interface LeadSignals {
  /** When the lead started their current role. */
  roleStartedAt?: Date | null;
  /** The company's latest funding round. */
  lastFundingAt?: Date | null;
  /** The company has open roles. */
  hiring?: boolean | null;
  openJobs?: number | null;
  /** When the company adopted a technology the client cares about. */
  techAdoptedAt?: Date | null;
  /** Headcount growth over the last 6 months, in percent. */
  headcountGrowthPct?: number | null;
}

/** Everything the scorer knows about a lead. Nullable fields mirror the `leads` table. */
export interface LeadFacts {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  title?: string | null;
  phone?: string | null;
  linkedinUrl?: string | null;
  companyName?: string | null;
  companyDomain?: string | null;
  companyIndustry?: string | null;
  /** Employees. */
  companySize?: number | null;
  /** ISO 3166-1 alpha-2 or an English country name. */
  country?: string | null;
  /** State/region, e.g. "NSW". */
  state?: string | null;
  city?: string | null;
  emailStatus?: EmailStatus | null;
  /** Verifier flags; when absent they are derived from the address with built-in lists. */
  freeMailDomain?: boolean | null;
  roleBasedAddress?: boolean | null;
  disposableDomain?: boolean | null;
  bouncedBefore?: boolean | null;
  unsubscribedBefore?: boolean | null;
  complainedBefore?: boolean | null;
  isCompetitor?: boolean | null;
  signals?: LeadSignals | null;
}

/** The client's ideal customer profile, as confirmed after ICP discovery. */
export interface IcpProfile {
  industries: readonly string[];
  /** Employee ranges: "11-50", "1000+", or a single number. */
  companySizes: readonly string[];
  titles: readonly string[];
  /** Country codes or names ("AU", "New Zealand"), states ("NSW", "AU-VIC"), "ANZ", or city names. */
  locations: readonly string[];
  /** Competitors' and existing customers' domains: never prospects. */
  excludedDomains?: readonly string[];
}

/** The seed's default ICP (employee count 5–50, Australia) for clients without a confirmed one. */
export const DEFAULT_ICP: IcpProfile = Object.freeze({ industries: [], companySizes: ['5-50'], titles: [], locations: ['AU'] });

const weight = z.number().finite().min(0).max(5).default(1);

/**
 * Per-client multipliers from ICP discovery, one per component (1 = as designed). A weight scales a
 * component's points, then the component is clamped to its maximum, so no weight can push a component
 * past its cap. The risk weight scales the deductions.
 */
export const AlsWeightsSchema = z.strictObject({
  dataQuality: weight,
  authority: weight,
  companyFit: weight,
  timing: weight,
  risk: weight,
});
export type AlsWeights = z.infer<typeof AlsWeightsSchema>;
export const DEFAULT_WEIGHTS: Readonly<AlsWeights> = Object.freeze(AlsWeightsSchema.parse({}));

/** Validates stored weights (e.g. the `alsWeights` JSON column); null/undefined means the defaults. */
export function parseAlsWeights(input: unknown): AlsWeights {
  return AlsWeightsSchema.parse(input ?? {});
}

export interface AlsResult {
  score: number;
  tier: AlsTier;
  components: Record<AlsComponent, number>;
  disqualified: boolean;
  /** One line per rule that moved the score, e.g. "authority +25: owner/founder/CEO-level title". */
  reasons: string[];
}

/** Tier for a score. Fractions are floored (scores are integers); out-of-range values are clamped. */
export function tierFor(score: number): AlsTier {
  if (Number.isNaN(score)) throw new RangeError('ALS score is NaN');
  const s = Math.floor(score);
  if (s >= TIER_FLOORS.hot) return 'hot';
  if (s >= TIER_FLOORS.warm) return 'warm';
  if (s >= TIER_FLOORS.cool) return 'cool';
  if (s >= TIER_FLOORS.cold) return 'cold';
  return 'dead';
}

export function scoreLead(facts: LeadFacts, icp: IcpProfile, weights: Partial<AlsWeights> | null | undefined, now: Date): AlsResult {
  const w = parseAlsWeights(weights);
  const reasons: string[] = [];
  const email = parseEmail(facts.email);
  const flags = emailFlags(facts, email);

  const raw: Record<AlsComponent, number> = {
    dataQuality: dataQuality(facts, email, flags, reasons),
    authority: authority(facts.title, icp.titles, reasons),
    companyFit: companyFit(facts, icp, reasons),
    timing: timing(facts.signals, now, reasons),
    risk: 0,
  };
  const risk = riskDeductions(facts, icp, email, flags, reasons);
  raw.risk = risk.points;

  const components = {} as Record<AlsComponent, number>;
  for (const key of Object.keys(COMPONENT_MAX) as AlsComponent[]) {
    components[key] = applyWeight(key, raw[key], w[key], reasons);
  }

  const sum = components.dataQuality + components.authority + components.companyFit + components.timing + (COMPONENT_MAX.risk - components.risk);
  let score = clamp(sum, 0, 100);
  if (risk.disqualified && score > DISQUALIFIED_CAP) {
    reasons.push(`score capped at ${DISQUALIFIED_CAP}: disqualified`);
    score = DISQUALIFIED_CAP;
  }
  return { score, tier: tierFor(score), components, disqualified: risk.disqualified, reasons };
}

function applyWeight(key: AlsComponent, points: number, factor: number, reasons: string[]): number {
  const max = COMPONENT_MAX[key];
  const weighted = clamp(Math.round(points * factor), 0, max);
  if (factor !== 1 && weighted !== points) {
    const capped = Math.round(points * factor) > max ? ` (capped at ${max})` : '';
    reasons.push(`${key} ×${factor}: ${points} → ${weighted}${capped}`);
  }
  return weighted;
}

// ---------------------------------------------------------------------------------------------
// Data quality (max 20): can we reach this person, and is the address theirs?
// ---------------------------------------------------------------------------------------------

interface ParsedEmail {
  local: string;
  domain: string;
}

interface EmailFlags {
  freeMail: boolean;
  roleBased: boolean;
  disposable: boolean;
}

const EMAIL_POINTS: Record<EmailStatus, number> = { valid: 8, catch_all: 5, unknown: 3, invalid: 0 };

function dataQuality(facts: LeadFacts, email: ParsedEmail | null, flags: EmailFlags, reasons: string[]): number {
  let points = 0;
  const add = (n: number, why: string): void => {
    points += n;
    reasons.push(`dataQuality +${n}: ${why}`);
  };
  const status = facts.emailStatus ?? 'unknown';
  // A verified address is worth most; catch-all domains accept anything, so they prove less.
  if (email && EMAIL_POINTS[status] > 0) add(EMAIL_POINTS[status], `email ${status === 'unknown' ? 'unverified' : status}`);
  // A direct line opens SMS and voice; 8+ digits excludes extensions and junk.
  if (digits(facts.phone) >= 8) add(6, 'phone number');
  // A personal profile (not a company page) opens LinkedIn.
  if (/linkedin\.com\/(in|pub)\//i.test(facts.linkedinUrl ?? '')) add(4, 'LinkedIn profile');
  // A named work address reaches the person rather than a shared or private inbox.
  if (email && status !== 'invalid' && !flags.roleBased && !flags.freeMail && !flags.disposable) {
    add(2, 'personal work address');
  }
  return points;
}

function digits(phone: string | null | undefined): number {
  return (phone ?? '').replace(/\D/g, '').length;
}

function parseEmail(address: string | null | undefined): ParsedEmail | null {
  const m = /^([^\s@]+)@([^\s@]+\.[^\s@]+)$/.exec((address ?? '').trim().toLowerCase());
  return m ? { local: m[1].split('+')[0], domain: m[2] } : null;
}

const ROLE_LOCAL_PARTS = new Set([
  'info',
  'admin',
  'sales',
  'support',
  'hello',
  'hi',
  'contact',
  'office',
  'enquiries',
  'enquiry',
  'inquiries',
  'inquiry',
  'accounts',
  'billing',
  'marketing',
  'team',
  'help',
  'reception',
  'mail',
  'noreply',
  'no-reply',
  'webmaster',
  'postmaster',
  'hr',
  'jobs',
  'careers',
  'service',
  'customerservice',
  'bookings',
  'reservations',
  'orders',
  'media',
  'press',
  'newsletter',
  'feedback',
  'privacy',
  'legal',
  'abuse',
  'security',
  'general',
]);

function emailFlags(facts: LeadFacts, email: ParsedEmail | null): EmailFlags {
  // "info.sydney@" and "sales-team@" are shared inboxes too.
  const roleByList = email !== null && ROLE_LOCAL_PARTS.has(email.local.split(/[._-]/)[0]);
  return {
    freeMail: facts.freeMailDomain ?? (email !== null && isFreeMailDomain(email.domain)),
    roleBased: facts.roleBasedAddress ?? (roleByList || (email !== null && ROLE_LOCAL_PARTS.has(email.local))),
    disposable: facts.disposableDomain ?? (email !== null && isDisposableDomain(email.domain)),
  };
}

// ---------------------------------------------------------------------------------------------
// Authority (max 25): can this person buy? Seniority from the title, +3 when it is an ICP title.
// ---------------------------------------------------------------------------------------------

// Checked in order; the first match wins, so "Vice President" is never read as "President" and
// "Assistant to the CEO" never as "CEO".
const SENIORITY: readonly { points: number; label: string; pattern: RegExp }[] = [
  {
    points: 3,
    label: 'assistant/junior title',
    pattern: /\b(assistant to|executive assistant|personal assistant|administrative assistant|intern|internship|student|trainee|junior|graduate)\b/,
  },
  {
    points: 25,
    label: 'owner/founder/CEO-level title',
    pattern:
      /\b(ceo|chief executive|founder|(?<!(product|process|data|service|system|account|content|control|risk|project) )owner|proprietor|managing director|md|(?<!vice )president)\b/,
  },
  {
    points: 22,
    label: 'C-suite/partner title',
    pattern:
      /\b(chief [a-z]+( [a-z]+)? officer|c[a-z]o|chro|executive director|principal(?! (engineer|consultant|designer|architect|scientist|analyst|developer|product|software|data|researcher|investigator))|(managing |senior |equity |founding )?partner(?! (manager|marketing|success|development|relations|account|sales|programs?|alliances?|channel|enablement|operations|engagement)))\b/,
  },
  { points: 18, label: 'VP/head-of title', pattern: /\b(vice president|[aes]?vp|head of)\b|\bhead$/ },
  { points: 15, label: 'director title', pattern: /\bdirector\b/ },
  { points: 10, label: 'senior manager title', pattern: /\b(senior|general|national|regional|state)( [a-z]+)? manager\b/ },
  { points: 7, label: 'manager/team-lead title', pattern: /\b(manager|team lead|team leader|supervisor)\b/ },
];

const OTHER_TITLE_POINTS = 3;
const ICP_TITLE_BONUS = 3;

function authority(title: string | null | undefined, icpTitles: readonly string[], reasons: string[]): number {
  const t = normalizeText(title);
  if (!t) return 0;
  const rank = SENIORITY.find((s) => s.pattern.test(t));
  let points = rank?.points ?? OTHER_TITLE_POINTS;
  reasons.push(`authority +${points}: ${rank?.label ?? 'individual contributor title'}`);
  const leadTokens = titleTokens(t);
  const icpMatch = icpTitles.find((icpTitle) => {
    const wanted = titleTokens(normalizeText(icpTitle));
    return wanted.size > 0 && [...wanted].every((token) => leadTokens.has(token));
  });
  if (icpMatch && points < COMPONENT_MAX.authority) {
    const bonus = Math.min(ICP_TITLE_BONUS, COMPONENT_MAX.authority - points);
    points += bonus;
    reasons.push(`authority +${bonus}: matches ICP title "${icpMatch}"`);
  }
  return points;
}

const TITLE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  ceo: 'chief executive officer',
  cfo: 'chief financial officer',
  coo: 'chief operating officer',
  cto: 'chief technology officer',
  cmo: 'chief marketing officer',
  cio: 'chief information officer',
  md: 'managing director',
  gm: 'general manager',
  vp: 'vice president',
  svp: 'senior vice president',
  evp: 'executive vice president',
  hr: 'human resources',
  mktg: 'marketing',
  mgr: 'manager',
};

function titleTokens(normalized: string): Set<string> {
  const out = new Set<string>();
  for (const word of normalized.split(' ')) {
    for (const token of (TITLE_ABBREVIATIONS[word] ?? word).split(' ')) {
      if (token && !STOP_WORDS.has(token)) out.add(token);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Company fit (max 25): industry 10, size 8, location 7. An empty ICP list means "no preference"
// and scores half (rounded down); a lead value we do not know scores nothing.
// ---------------------------------------------------------------------------------------------

const FIT = { industry: 10, size: 8, location: 7 } as const;

function companyFit(facts: LeadFacts, icp: IcpProfile, reasons: string[]): number {
  let points = 0;
  const add = (n: number, why: string): void => {
    points += n;
    reasons.push(`companyFit +${n}: ${why}`);
  };
  const neutral = (dim: keyof typeof FIT): void => add(Math.floor(FIT[dim] / 2), `no ICP ${dim} preference`);

  if (icp.industries.length === 0) neutral('industry');
  else {
    const match = icp.industries.find((i) => industryMatches(facts.companyIndustry, i));
    if (match) add(FIT.industry, `industry matches ICP "${match}"`);
  }

  const ranges = icp.companySizes.map(parseSizeRange).filter((r): r is SizeRange => r !== null);
  if (ranges.length === 0) neutral('size');
  else if (typeof facts.companySize === 'number' && facts.companySize > 0) {
    const size = facts.companySize;
    if (ranges.some((r) => size >= r.min && size <= r.max)) add(FIT.size, `${size} employees within ICP range`);
    // Near misses (half to double the range) still resemble the clients' customers.
    else if (ranges.some((r) => size >= Math.floor(r.min / 2) && size <= r.max * 2)) {
      add(FIT.size / 2, `${size} employees near ICP range`);
    }
  }

  if (icp.locations.length === 0) neutral('location');
  else {
    const match = icp.locations.find((l) => locationMatches(facts, l));
    if (match) add(FIT.location, `location matches ICP "${match}"`);
  }
  return points;
}

interface SizeRange {
  min: number;
  max: number;
}

/** "11-50", "11–50", "1,000+", "500" → a range; anything else → null (ignored). */
export function parseSizeRange(input: string): SizeRange | null {
  const s = input.replace(/[,\s]/g, '');
  let m = /^(\d+)[-–](\d+)$/.exec(s);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return a <= b ? { min: a, max: b } : null;
  }
  m = /^(\d+)\+$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number.POSITIVE_INFINITY };
  m = /^(\d+)$/.exec(s);
  return m ? { min: Number(m[1]), max: Number(m[1]) } : null;
}

function industryMatches(leadIndustry: string | null | undefined, icpIndustry: string): boolean {
  const a = tokens(leadIndustry);
  const b = tokens(icpIndustry);
  if (a.size === 0 || b.size === 0) return false;
  // "Computer Software" matches "Software" and vice versa.
  return [...a].every((t) => b.has(t)) || [...b].every((t) => a.has(t));
}

// Two-letter entries read as countries before states ("CA" is Canada, "WA" Western Australia);
// "ANZ" is the region agencies here sell into.
const COUNTRY_WORDS: Readonly<Record<string, readonly string[]>> = {
  au: ['AU'],
  nz: ['NZ'],
  uk: ['GB'],
  gb: ['GB'],
  us: ['US'],
  ca: ['CA'],
  ie: ['IE'],
  sg: ['SG'],
  anz: ['AU', 'NZ'],
};

/** Country codes a normalised place word names: a known word, a name or alpha-3 code, else none. */
function namedCountries(key: string): readonly string[] | undefined {
  const word = COUNTRY_WORDS[key];
  if (word) return word;
  const code = countryCodeFromName(key);
  return code ? [code] : undefined;
}

function countryCodes(value: string | null | undefined): readonly string[] {
  const key = normalizeText(value);
  return namedCountries(key) ?? (/^[a-z]{2}$/.test(key) ? [key.toUpperCase()] : []);
}

function locationMatches(facts: LeadFacts, entry: string): boolean {
  const leadCountries = countryCodes(facts.country);
  const leadState = normalizeText(facts.state);
  const leadAuState = auStateCode(leadState);
  const e = normalizeText(entry);
  const iso = /^([a-z]{2}) ([a-z]{2,3})$/.exec(e); // "AU-NSW" (ISO 3166-2) once normalised
  if (iso) {
    return leadCountries.includes(iso[1].toUpperCase()) && (leadAuState ?? leadState.toUpperCase()) === iso[2].toUpperCase();
  }
  // "AU", "Australia", "ANZ" and other known country names before states ("WA" is a state here).
  const wanted = namedCountries(e);
  if (wanted) return wanted.some((c) => leadCountries.includes(c));
  const entryAuState = auStateCode(e);
  if (entryAuState) return (leadCountries.length === 0 || leadCountries.includes('AU')) && leadAuState === entryAuState;
  if (/^[a-z]{2}$/.test(e)) return leadCountries.includes(e.toUpperCase());
  // Anything else is a place name: a state or city spelled the same way.
  return e !== '' && (e === leadState || e === normalizeText(facts.city));
}

// ---------------------------------------------------------------------------------------------
// Timing (max 15): is now a good moment? Signals add up, capped at 15.
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

function timing(signals: LeadSignals | null | undefined, now: Date, reasons: string[]): number {
  if (!signals) return 0;
  let points = 0;
  const add = (n: number, why: string): void => {
    points += n;
    reasons.push(`timing +${n}: ${why}`);
  };
  // New people re-evaluate suppliers in their first months.
  if (within(signals.roleStartedAt, now, 183)) add(6, 'new in role (< 6 months)');
  // Hiring means growth and budget.
  if (signals.hiring === true || (signals.openJobs ?? 0) > 0) add(5, 'company is hiring');
  // Fresh money is spent in the following year.
  if (within(signals.lastFundingAt, now, 365)) add(4, 'funded in the last 12 months');
  if (within(signals.techAdoptedAt, now, 183)) add(3, 'adopted relevant technology (< 6 months)');
  if ((signals.headcountGrowthPct ?? 0) >= 10) add(3, 'headcount grew ≥ 10% in 6 months');
  return Math.min(points, COMPONENT_MAX.timing);
}

/** True when `at` lies within the last `days` days before `now` (a day of clock skew tolerated). */
function within(at: Date | null | undefined, now: Date, days: number): boolean {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) return false;
  const age = now.getTime() - at.getTime();
  return age >= -DAY_MS && age <= days * DAY_MS;
}

// ---------------------------------------------------------------------------------------------
// Risk (max 15 deductions): how likely is contact to hurt deliverability or reputation?
// ---------------------------------------------------------------------------------------------

function riskDeductions(
  facts: LeadFacts,
  icp: IcpProfile,
  email: ParsedEmail | null,
  flags: EmailFlags,
  reasons: string[],
): { points: number; disqualified: boolean } {
  let points = 0;
  let disqualified = false;
  const deduct = (n: number, why: string, disqualifies = false): void => {
    points += n;
    disqualified ||= disqualifies;
    reasons.push(`risk -${n}: ${why}${disqualifies ? ' (disqualified)' : ''}`);
  };
  // Contacting these again breaks the law or the client's trust: always dead.
  if (facts.unsubscribedBefore) deduct(15, 'unsubscribed before', true);
  if (facts.complainedBefore) deduct(15, 'marked a message as spam before', true);
  const excluded = new Set(
    (icp.excludedDomains ?? []).map((d) =>
      d
        .trim()
        .toLowerCase()
        .replace(/^www\./, ''),
    ),
  );
  const companyDomain = (facts.companyDomain ?? '')
    .trim()
    .toLowerCase()
    .replace(/^www\./, '');
  if (facts.isCompetitor || excluded.has(companyDomain) || (email !== null && excluded.has(email.domain))) {
    deduct(15, 'competitor or excluded company', true);
  }
  // Mail to these addresses bounces or lands in traps, hurting the sending domain.
  if (facts.bouncedBefore) deduct(10, 'bounced before');
  if (facts.emailStatus === 'invalid') deduct(8, 'email failed verification');
  if (flags.disposable) deduct(8, 'disposable email domain');
  if (flags.roleBased) deduct(4, 'role-based address (shared inbox)');
  if (flags.freeMail) deduct(3, 'free-mail address');
  if (facts.emailStatus === 'catch_all') deduct(2, 'catch-all domain');
  // People who cannot buy anything.
  if (/\b(student|intern|retired|unemployed|seeking|open to work|looking for|volunteer)\b/.test(normalizeText(facts.title))) {
    deduct(5, 'non-buyer title');
  }
  return { points: Math.min(points, COMPONENT_MAX.risk), disqualified };
}

// ---------------------------------------------------------------------------------------------

const STOP_WORDS = new Set(['and', 'of', 'the', 'for', 'in', 'at', 'services', 'service', 'industry', 'a']);

/** Lowercase, "&" → "and", everything else that is not a letter or digit → one space. */
function normalizeText(value: string | null | undefined): string {
  return (value ?? '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function tokens(value: string | null | undefined): Set<string> {
  return new Set(
    normalizeText(value)
      .split(' ')
      .filter((t) => t && !STOP_WORDS.has(t)),
  );
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
