// The enrichment cache (`enrichment_cache`): one row per person, keyed `v1:person:<kind>:<id>`,
// holding the merged waterfall result for 90 days. The `v1` prefix versions the stored shape: a
// change to LeadEnrichment bumps it and old rows are simply never read again (then purged).
import type { Db, Prisma } from '../../db/client';
import { emailDomainOf, normalizeDomain } from '../../integrations/enrichment';
import type { LeadEnrichment, ScoutLead } from './types';
import { isWorkDomain } from '../../shared/domain/email-domains';

export const CACHE_VERSION = 'v1';
export const CACHE_TTL_DAYS = 90;
const DAY_MS = 86_400_000;

/** `https://au.linkedin.com/in/Jane-Doe/?trk=x` → `linkedin.com/in/jane-doe`; null if not a profile. */
export function normalizeLinkedinUrl(url: string | null | undefined): string | null {
  const m = /^(?:https?:\/\/)?(?:[a-z]{2,3}\.)?linkedin\.com\/(in|pub)\/([^/?#\s]+)/i.exec((url ?? '').trim());
  return m ? `linkedin.com/${m[1].toLowerCase()}/${decodeURIComponent(m[2]).toLowerCase()}` : null;
}

/**
 * The person's cache key, from the most specific identifier the lead has: email, then LinkedIn
 * profile, then full name at a company domain. Null when there is none (nothing is cached).
 */
export function cacheKeyFor(lead: Pick<ScoutLead, 'email' | 'linkedinUrl' | 'firstName' | 'lastName' | 'companyDomain'>): string | null {
  const email = lead.email?.trim().toLowerCase();
  if (email && emailDomainOf(email)) return `${CACHE_VERSION}:person:email:${email}`;
  const linkedin = normalizeLinkedinUrl(lead.linkedinUrl);
  if (linkedin) return `${CACHE_VERSION}:person:linkedin:${linkedin}`;
  const name = [lead.firstName, lead.lastName].map((n) => n?.trim().toLowerCase().replace(/\s+/g, ' ')).filter(Boolean);
  const domain = normalizeDomain(lead.companyDomain);
  if (name.length === 2 && domain && isWorkDomain(domain)) return `${CACHE_VERSION}:person:name:${name.join(' ')}@${domain}`;
  return null;
}

/** Live (unexpired) entries for these keys. Expired rows are ignored here and overwritten on write. */
export async function readCache(db: Db, keys: readonly string[], now: Date): Promise<Map<string, LeadEnrichment>> {
  if (keys.length === 0) return new Map();
  const rows = await db.enrichmentCache.findMany({ where: { key: { in: [...keys] }, expiresAt: { gt: now } } });
  const out = new Map<string, LeadEnrichment>();
  for (const row of rows) {
    const data = row.data as unknown as LeadEnrichment | null;
    // A row of another shape (hand-edited, older writer) is a miss, not a crash.
    if (data && data.version === 1 && typeof data.person === 'object') out.set(row.key, data);
  }
  return out;
}

/** Inserts or refreshes an entry for another 90 days. */
export async function writeCache(db: Db, key: string, enrichment: LeadEnrichment, now: Date): Promise<void> {
  const expiresAt = new Date(now.getTime() + CACHE_TTL_DAYS * DAY_MS);
  const source = enrichment.sources.join(',') || 'none';
  const data = enrichment as unknown as Prisma.InputJsonValue;
  await db.enrichmentCache.upsert({
    where: { key },
    create: { key, source, data, expiresAt },
    update: { source, data, expiresAt, createdAt: now },
  });
}

/** Deletes expired entries; returns how many. */
export async function purgeExpiredCache(db: Db, now: Date): Promise<number> {
  const { count } = await db.enrichmentCache.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
