// Is an inbound email from who its From header says? We never see the raw message (Postmark posts
// parsed JSON), so we cannot verify DKIM or SPF ourselves; we read the verdicts the receiving side
// wrote into the headers Postmark passes through:
//   - `Received-SPF` (RFC 7208 §9.1), the FIRST one only: Postmark's inbound server adds it on top
//     of the message; any further one came with the message, and a sender can write anything there;
//   - `Authentication-Results` (RFC 8601) only from an authserv-id the operator trusts
//     (INBOUND_TRUSTED_AUTHSERV_IDS, e.g. their MX in front of Postmark), the first such header.
// A verdict counts only when it is aligned with the From domain (DMARC's relaxed alignment: the same
// organizational domain, from the Public Suffix List via tldts).
// The parsers are small and strict on purpose: no maintained npm package parses these header values
// on their own (mailauth verifies raw messages; its header parsing is internal), and all we need is
// each method's result and the domain it is about. Anything unexpected reads as "no verdict".
import { getDomain } from 'tldts';

export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';
const RESULTS = new Set<string>(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy']);

export interface MethodVerdict {
  result: AuthResult;
  /** The domain the verdict is about (SPF: the envelope sender's; DKIM: d=; DMARC: header.from). */
  domain: string | null;
  /** The domain is the From domain's organizational domain (or a subdomain of it). */
  aligned: boolean;
}

/** Everything the trust decision looked at, kept on the review row so a person can see why. */
export interface SenderAuthentication {
  fromDomain: string | null;
  /** The first Received-SPF header's verdict. */
  spf: MethodVerdict | null;
  /** The authserv-id of the trusted Authentication-Results header used, if any. */
  authservId: string | null;
  dmarc: MethodVerdict | null;
  dkim: MethodVerdict[];
  /** Which verdict authenticated the sender; null when none did. */
  passedBy: 'dmarc' | 'dkim' | 'spf' | null;
}

/** The value with (possibly nested) comments removed, quoted strings kept as they are. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      out += c;
      if (c === '\\' && i + 1 < value.length) out += value[++i];
      else if (c === '"') quoted = false;
    } else if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '(') {
      depth++;
      out += ' ';
    } else {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}

/** Splits on `sep` outside quoted strings. */
function splitOutsideQuotes(value: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** `key=value` pairs of one clause (whitespace-separated), keys lower-cased. */
function pairs(clause: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of clause.matchAll(/([A-Za-z0-9_.-]+(?:\/[0-9]+)?)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)/g)) out.push([m[1].toLowerCase(), unquote(m[2])]);
  return out;
}

/** The domain of an address, `@domain` or bare domain, lower-cased; null when there is none. */
export function domainOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^<|>$/g, '');
  const at = v.lastIndexOf('@');
  const d = (at >= 0 ? v.slice(at + 1) : v).trim().toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d) ? d : null;
}

/** DMARC relaxed alignment: both domains have the same organizational domain. */
export function aligned(domain: string | null, fromDomain: string | null): boolean {
  if (!domain || !fromDomain) return false;
  if (domain === fromDomain) return true;
  const a = getDomain(domain);
  return a !== null && a === getDomain(fromDomain);
}

export interface ReceivedSpf {
  result: AuthResult;
  /** The identity checked: the envelope sender (mailfrom) or the HELO name. */
  domain: string | null;
}

/** `Received-SPF: pass (comment) client-ip=…; envelope-from=…; helo=…; identity=mailfrom`. */
export function parseReceivedSpf(value: string): ReceivedSpf | null {
  const text = withoutComments(value).trim();
  const result = /^([A-Za-z]+)/.exec(text)?.[1].toLowerCase();
  if (!result || !RESULTS.has(result)) return null;
  const kv = new Map(pairs(text.slice(result.length)));
  const identity = kv.get('identity')?.toLowerCase();
  const domain = identity === 'helo' ? domainOf(kv.get('helo')) : domainOf(kv.get('envelope-from'));
  return { result: result as AuthResult, domain };
}

export interface AuthResultsHeader {
  authservId: string;
  results: Array<{ method: string; result: AuthResult; props: Map<string, string> }>;
}

/** `Authentication-Results: mx.example; dkim=pass header.d=a.example; dmarc=pass header.from=a.example`. */
export function parseAuthenticationResults(value: string): AuthResultsHeader | null {
  const [head, ...clauses] = splitOutsideQuotes(withoutComments(value), ';');
  const authservId = head.trim().split(/\s+/)[0]?.toLowerCase();
  if (!authservId) return null;
  const results: AuthResultsHeader['results'] = [];
  for (const clause of clauses) {
    const kv = pairs(clause);
    if (kv.length === 0) continue;
    const [[method, result], ...props] = kv;
    if (!RESULTS.has(result.toLowerCase())) continue;
    results.push({ method: method.split('/')[0], result: result.toLowerCase() as AuthResult, props: new Map(props) });
  }
  return { authservId, results };
}

export interface InboundHeaders {
  /** The From address. */
  from: string;
  /** Received-SPF values, in message order (top first). */
  receivedSpf: string[];
  /** Authentication-Results values, in message order (top first). */
  authenticationResults: string[];
}

/** The verdicts on an inbound message's sender, and whether one of them authenticates it. */
export function authenticateSender(h: InboundHeaders, trustedAuthservIds: readonly string[]): SenderAuthentication {
  const fromDomain = domainOf(h.from);
  const verdict = (result: AuthResult, domain: string | null): MethodVerdict => ({ result, domain, aligned: aligned(domain, fromDomain) });

  const firstSpf = h.receivedSpf.length > 0 ? parseReceivedSpf(h.receivedSpf[0]) : null;
  const spf = firstSpf ? verdict(firstSpf.result, firstSpf.domain) : null;

  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()).filter(Boolean));
  const ar = trusted.size === 0 ? null : (h.authenticationResults.map(parseAuthenticationResults).find((r) => r !== null && trusted.has(r.authservId)) ?? null);
  let dmarc: MethodVerdict | null = null;
  const dkim: MethodVerdict[] = [];
  for (const r of ar?.results ?? []) {
    if (r.method === 'dmarc' && !dmarc) {
      // DMARC is evaluated for the From domain itself: header.from, when given, must be it.
      const d = domainOf(r.props.get('header.from')) ?? fromDomain;
      dmarc = { result: r.result, domain: d, aligned: d !== null && d === fromDomain };
    } else if (r.method === 'dkim') {
      dkim.push(verdict(r.result, domainOf(r.props.get('header.d') ?? r.props.get('header.i'))));
    }
  }

  const passes = (v: MethodVerdict | null | undefined) => v?.result === 'pass' && v.aligned;
  // A trusted dmarc=fail says no aligned pass exists, whatever else the headers claim.
  const vetoed = dmarc?.result === 'fail';
  const passedBy = vetoed ? null : passes(dmarc) ? 'dmarc' : dkim.some(passes) ? 'dkim' : passes(spf) ? 'spf' : null;
  return { fromDomain, spf, authservId: ar?.authservId ?? null, dmarc, dkim, passedBy };
}
