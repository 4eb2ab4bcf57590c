// Activities of leadEnrichmentWorkflow and enrichmentSweepWorkflow: run the Scout waterfall and
// write the result, score with the client's ICP and weights, and find leads the nightly sweep must
// (re)start. All idempotent: an enriched lead is never looked up again (its `enrichedAt` is the
// guard), scoring is a pure function of the row and the `now` the workflow passes, and sweep starts
// use a batch id derived from the lead ids.
import { createHash } from 'node:crypto';
import { ApplicationFailure, asyncLocalStorage, log } from '@temporalio/activity';
import { ZodError } from 'zod';
import type { AlsTier, Client, Lead, LeadStatus, Prisma } from '../src/db/client';
import { parseAlsWeights, scoreLead, DEFAULT_ICP, type AlsWeights, type IcpProfile } from '../src/engines/scorer';
import { leadColumnUpdate, purgeExpiredCache, runWaterfall, toLeadFacts, type LeadEnrichment, type LeadHistory } from '../src/engines/scout';
import { GLOBAL_SCOPE, emailDomain, normalizeEmail, normalizePhone } from '../src/engines/compliance/suppression';
import { createEnrichmentDrivers } from '../src/integrations/enrichment-drivers';
import { normalizeDomain, type CompanyData } from '../src/integrations/enrichment';
import { addressColumns, addressFromCompany } from '../src/engines/postal-address';
import { MAX_ENRICHMENT_LEADS } from '../workflows/definitions/enrichment';
import { FailureType } from '../workflows/definitions/retry';
import type { ActivityDeps } from './deps';

/** Attempts that retry leads whose provider call failed retryably; later attempts report them failed. */
export const PROVIDER_RETRY_ATTEMPTS = 3;
export const DEFAULT_SWEEP_LIMIT = 5_000;
/** The sweep leaves leads touched this recently to the workflow that is (probably) handling them. */
export const SWEEP_QUIET_MS = 60 * 60 * 1000;

// Closed leads: enriching or re-scoring them spends credits for nothing.
const CLOSED: readonly LeadStatus[] = ['bounced', 'unsubscribed', 'suppressed', 'converted', 'not_interested'];

export interface EnrichLeadsInput {
  clientId: string;
  leadIds: string[];
  /** Look the leads up again although they were enriched (a correction asked for it): the cache is not read. */
  refresh?: boolean;
}

export interface EnrichLeadsResult {
  /** Enriched now or by an earlier run. */
  enriched: string[];
  failed: { leadId: string; reason: string }[];
  /** Not this client's, deleted, or closed. */
  skipped: string[];
  cacheHits: number;
  clayUsed: number;
  /** Leads each source contributed to (this run's lookups and cache hits). */
  sources: Record<string, number>;
}

export interface ScoreLeadsInput {
  clientId: string;
  leadIds: string[];
  /** ISO time "recent" signals are measured against (the workflow's deterministic now). */
  now: string;
}

export interface ScoreLeadsResult {
  scored: string[];
  skipped: string[];
  tiers: Partial<Record<AlsTier, number>>;
}

export interface FindUnenrichedResult {
  leads: number;
  started: { clientId: string; workflowId: string; batchId: string; leads: number }[];
  purgedCacheEntries: number;
}

function currentAttempt(): number {
  return asyncLocalStorage.getStore()?.info.attempt ?? 1;
}

function heartbeat(details?: unknown): void {
  asyncLocalStorage.getStore()?.heartbeat(details);
}

function storedEnrichment(value: Prisma.JsonValue | null): LeadEnrichment | null {
  const e = value as unknown as LeadEnrichment | null;
  return e && typeof e === 'object' && e.version === 1 && typeof e.person === 'object' ? e : null;
}

/** The client's confirmed (or in-progress) ICP; the seed's default when it has none at all. */
export function icpOf(client: Pick<Client, 'icpIndustries' | 'icpCompanySizes' | 'icpTitles' | 'icpLocations' | 'icpConfirmedAt' | 'websiteUrl'>): IcpProfile {
  const own = normalizeDomain(client.websiteUrl);
  const lists = [client.icpIndustries, client.icpCompanySizes, client.icpTitles, client.icpLocations];
  const base: IcpProfile =
    client.icpConfirmedAt || lists.some((l) => l.length > 0)
      ? { industries: client.icpIndustries, companySizes: client.icpCompanySizes, titles: client.icpTitles, locations: client.icpLocations }
      : DEFAULT_ICP;
  // The agency's client never prospects itself.
  return { ...base, excludedDomains: own ? [own] : [] };
}

export function createEnrichmentActivities(deps: ActivityDeps) {
  const { db } = deps;
  let drivers = deps.enrichment;
  const enrichmentDrivers = () => (drivers ??= createEnrichmentDrivers(deps.config));

  /** Which leads are suppressed (globally or for this client), and whether by a complaint. */
  async function suppressionHistory(clientId: string, leads: Lead[]): Promise<Map<string, LeadHistory>> {
    const emails = leads.flatMap((l) => (l.email ? [normalizeEmail(l.email)] : []));
    const domains = emails.map(emailDomain).filter((d): d is string => d !== null);
    const phones = leads.flatMap((l) => (l.phone ? [normalizePhone(l.phone)] : []));
    const rows =
      emails.length + phones.length === 0
        ? []
        : await db.suppression.findMany({
            where: {
              deletedAt: null,
              scope: { in: [GLOBAL_SCOPE, clientId] },
              OR: [
                { kind: 'email', value: { in: emails } },
                { kind: 'domain', value: { in: domains } },
                { kind: 'phone', value: { in: phones } },
              ],
            },
          });
    const out = new Map<string, LeadHistory>();
    for (const lead of leads) {
      const email = lead.email ? normalizeEmail(lead.email) : null;
      const hits = rows.filter(
        (r) =>
          (r.kind === 'email' && r.value === email) ||
          (r.kind === 'domain' && email !== null && r.value === emailDomain(email)) ||
          (r.kind === 'phone' && lead.phone !== null && r.value === normalizePhone(lead.phone)),
      );
      // A suppressed contact is never contacted again: scored like an unsubscribe (or a complaint).
      out.set(lead.id, {
        bouncedBefore: lead.status === 'bounced',
        unsubscribedBefore: lead.status === 'unsubscribed' || lead.status === 'suppressed' || hits.some((h) => !/complain|spam|abuse/i.test(h.reason)),
        complainedBefore: hits.some((h) => /complain|spam|abuse/i.test(h.reason)),
      });
    }
    return out;
  }

  return {
    async enrichLeads(a: EnrichLeadsInput): Promise<EnrichLeadsResult> {
      const now = new Date();
      const rows = await db.lead.findMany({ where: { id: { in: a.leadIds }, clientId: a.clientId, deletedAt: null } });
      const byId = new Map(rows.map((l) => [l.id, l]));
      const result: EnrichLeadsResult = { enriched: [], failed: [], skipped: [], cacheHits: 0, clayUsed: 0, sources: {} };
      const todo: Lead[] = [];
      for (const id of a.leadIds) {
        const lead = byId.get(id);
        if (!lead || CLOSED.includes(lead.status)) result.skipped.push(id);
        else if (lead.enrichedAt && !a.refresh) result.enriched.push(id);
        else todo.push(lead);
      }
      if (todo.length === 0) return result;

      // Each lead can wait on a slow provider; keep the heartbeat going in between.
      const beat = setInterval(() => heartbeat({ phase: 'lookups' }), 10_000);
      let results;
      try {
        results = await runWaterfall(db, enrichmentDrivers(), todo, { now, skipCache: a.refresh === true, onLeadDone: (id) => heartbeat({ done: id }) });
      } finally {
        clearInterval(beat);
      }

      for (const r of results) {
        if (r.status === 'failed') continue;
        const lead = byId.get(r.leadId)!;
        const source = r.enrichment.sources.join(',') || 'none';
        // A lead without a postal address gets the company's, when the enrichment has a valid one.
        const address = lead.addressLine1 ? null : addressFromCompany(r.enrichment.company as CompanyData);
        // Guarded by enrichedAt as read (a concurrent run wrote first: keep its write) and, for the
        // status, by status = new (an unsubscribe that landed meanwhile is never overwritten).
        await db.$transaction([
          db.lead.updateMany({
            where: { id: lead.id, enrichedAt: lead.enrichedAt },
            data: {
              ...leadColumnUpdate(lead, r.enrichment),
              ...(address ? { ...addressColumns(address), addressSource: 'enrichment' } : {}),
              enrichment: r.enrichment as unknown as Prisma.InputJsonValue,
              enrichmentSource: source,
              enrichedAt: now,
            },
          }),
          db.lead.updateMany({ where: { id: lead.id, status: 'new' }, data: { status: 'enriched' } }),
        ]);
        result.enriched.push(r.leadId);
        if (r.fromCache) result.cacheHits++;
        if (r.clay === 'used') result.clayUsed++;
        for (const s of r.enrichment.sources) result.sources[s] = (result.sources[s] ?? 0) + 1;
      }

      const failed = results.filter((r) => r.status === 'failed');
      if (failed.length === 0) return result;
      const retryable = failed.filter((f) => f.errors.some((e) => e.retryable));
      const summary = failed
        .flatMap((f) => f.errors.map((e) => e.message))
        .filter((m, i, all) => all.indexOf(m) === i)
        .slice(0, 3)
        .join('; ');
      // The leads written above are skipped on the next attempt, so a retry only redoes the failures.
      if (retryable.length > 0 && currentAttempt() < PROVIDER_RETRY_ATTEMPTS) {
        throw ApplicationFailure.retryable(`enrichment failed for ${failed.length} lead(s): ${summary}`, 'EnrichmentProviderError');
      }
      log.warn('leads not enriched', { clientId: a.clientId, failed: failed.length, errors: summary });
      for (const f of failed) result.failed.push({ leadId: f.leadId, reason: f.errors.map((e) => e.message).join('; ') });
      return result;
    },

    async scoreLeads(a: ScoreLeadsInput): Promise<ScoreLeadsResult> {
      const now = new Date(a.now);
      if (Number.isNaN(now.getTime())) throw ApplicationFailure.nonRetryable(`invalid now: ${a.now}`, FailureType.InvalidInput);
      const client = await db.client.findUnique({ where: { id: a.clientId } });
      if (!client) throw ApplicationFailure.nonRetryable(`client ${a.clientId} not found`, FailureType.ClientNotFound);
      let weights: AlsWeights;
      try {
        weights = parseAlsWeights(client.alsWeights);
      } catch (err) {
        if (err instanceof ZodError)
          throw ApplicationFailure.nonRetryable(
            `client ${a.clientId} has invalid alsWeights: ${err.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ')}`,
            FailureType.InvalidAlsWeights,
          );
        throw err;
      }
      const icp = icpOf(client);
      const leads = await db.lead.findMany({ where: { id: { in: a.leadIds }, clientId: a.clientId, deletedAt: null } });
      const found = new Set(leads.map((l) => l.id));
      const history = await suppressionHistory(a.clientId, leads);
      const result: ScoreLeadsResult = { scored: [], skipped: a.leadIds.filter((id) => !found.has(id)), tiers: {} };
      for (const lead of leads) {
        const als = scoreLead(toLeadFacts(lead, storedEnrichment(lead.enrichment), history.get(lead.id)), icp, weights, now);
        await db.$transaction([
          db.lead.update({
            where: { id: lead.id },
            data: {
              alsScore: als.score,
              alsTier: als.tier,
              alsDataQuality: als.components.dataQuality,
              alsAuthority: als.components.authority,
              alsCompanyFit: als.components.companyFit,
              alsTiming: als.components.timing,
              alsRisk: als.components.risk,
              scoredAt: now,
            },
          }),
          // Only an enriched lead moves on; later statuses (in sequence, replied…) are kept.
          db.lead.updateMany({ where: { id: lead.id, status: 'enriched' }, data: { status: 'scored' } }),
        ]);
        result.scored.push(lead.id);
        result.tiers[als.tier] = (result.tiers[als.tier] ?? 0) + 1;
        heartbeat(result.scored.length);
      }
      return result;
    },

    /**
     * The nightly safety net: leads still `new` (never enriched: a failed or never-started batch)
     * or `enriched` but never scored, untouched for an hour, get an enrichment workflow per client.
     * Also purges expired cache entries.
     */
    async findUnenrichedLeads(a: { limit?: number }): Promise<FindUnenrichedResult> {
      const now = new Date();
      const quietSince = new Date(now.getTime() - SWEEP_QUIET_MS);
      const rows = await db.lead.findMany({
        where: {
          deletedAt: null,
          client: { deletedAt: null },
          updatedAt: { lt: quietSince },
          OR: [
            { status: 'new', enrichedAt: null },
            { status: 'enriched', scoredAt: null },
          ],
        },
        select: { id: true, clientId: true },
        orderBy: [{ clientId: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
        take: Math.max(1, Math.min(a.limit ?? DEFAULT_SWEEP_LIMIT, 50_000)),
      });
      const byClient = new Map<string, string[]>();
      for (const r of rows) byClient.set(r.clientId, [...(byClient.get(r.clientId) ?? []), r.id]);
      const started: FindUnenrichedResult['started'] = [];
      for (const [clientId, ids] of byClient) {
        for (let i = 0; i < ids.length; i += MAX_ENRICHMENT_LEADS) {
          const leadIds = ids.slice(i, i + MAX_ENRICHMENT_LEADS);
          // Same leads → same batch id, so a retried sweep finds its own workflow instead of a twin.
          const batchId = `sweep-${createHash('sha256')
            .update([...leadIds].sort().join(','))
            .digest('hex')
            .slice(0, 20)}`;
          const { workflowId } = await deps.lifecycle.startEnrichment({ clientId, leadIds, batchId });
          started.push({ clientId, workflowId, batchId, leads: leadIds.length });
          heartbeat(started.length);
        }
      }
      const purgedCacheEntries = await purgeExpiredCache(db, now);
      return { leads: rows.length, started, purgedCacheEntries };
    },
  };
}

export type EnrichmentActivities = ReturnType<typeof createEnrichmentActivities>;
