// The Scout: enrichment waterfall for a batch of leads.
//
//   1. cache     `enrichment_cache` by person key (cache.ts); a live entry ends the lead's waterfall
//   2. tier 1    Apollo and Apify in parallel per lead, merged by field precedence (merge.ts)
//   3. Clay      for the leads still missing key fields, at most 15% of the batch (clay-selection.ts)
//   4. cache     the merged result is written back for 90 days
//
// A lead is enriched only when every provider it was sent to answered ("not found" is an answer);
// when one failed, the lead is reported failed with the errors, nothing of it is cached, and the
// caller decides whether to retry. Leads sharing a cache key within the batch are looked up once.
import type { Db } from '../../db/client';
import {
  EnrichmentProviderError,
  type EnrichmentDrivers,
  type EnrichmentProvider,
  type EnrichmentSource,
  type LookupInput,
  type ProviderResult,
} from '../../integrations/enrichment';
import { cacheKeyFor, readCache, writeCache } from './cache';
import { selectForClay } from './clay-selection';
import { mapLimit } from '../../shared/concurrency';
import { mergeResults } from './merge';
import type { ClayOutcome, LeadEnrichment, ScoutError, ScoutLead, ScoutResult } from './types';

export interface WaterfallOptions {
  now: Date;
  /** Leads looked up at the same time (each lead makes two provider calls in parallel). Default 5. */
  concurrency?: number;
  /** Look every lead up again (the cache is written, never read): a re-enrichment asked for by a person. */
  skipCache?: boolean;
  /** Called after each lead's provider calls finish (activities heartbeat from here). */
  onLeadDone?: (leadId: string) => void;
}

interface Group {
  key: string | null;
  leads: ScoutLead[];
  results: ProviderResult[];
  errors: ScoutError[];
  enrichment?: LeadEnrichment;
  clay: ClayOutcome;
}

export function lookupInputOf(lead: ScoutLead): LookupInput {
  return {
    ref: lead.id,
    email: lead.email,
    firstName: lead.firstName,
    lastName: lead.lastName,
    linkedinUrl: lead.linkedinUrl,
    companyDomain: lead.companyDomain,
    companyName: lead.companyName,
  };
}

async function ask(provider: EnrichmentProvider, input: LookupInput, group: Group): Promise<void> {
  try {
    group.results.push(await provider.lookup(input));
  } catch (err) {
    const e = err instanceof EnrichmentProviderError ? err : null;
    group.errors.push({
      source: provider.source,
      message: (err as Error).message ?? String(err),
      // Unknown errors (bugs, unexpected throws) are retried: a retry is cheap, a lost lead is not.
      retryable: e ? e.retryable : true,
    });
  }
}

export async function runWaterfall(db: Db, drivers: EnrichmentDrivers, leads: readonly ScoutLead[], opts: WaterfallOptions): Promise<ScoutResult[]> {
  const { now } = opts;
  const concurrency = opts.concurrency ?? 5;
  const keyOf = new Map(leads.map((l) => [l.id, cacheKeyFor(l)]));
  const cached = opts.skipCache
    ? new Map<string, LeadEnrichment>()
    : await readCache(db, [...new Set([...keyOf.values()].filter((k): k is string => k !== null))], now);

  // Cache misses, grouped by key (a lead without a key is its own group).
  const groups: Group[] = [];
  const byKey = new Map<string, Group>();
  for (const lead of leads) {
    const key = keyOf.get(lead.id) ?? null;
    if (key && cached.has(key)) continue;
    const existing = key ? byKey.get(key) : undefined;
    if (existing) {
      existing.leads.push(lead);
      continue;
    }
    const group: Group = { key, leads: [lead], results: [], errors: [], clay: 'not_needed' };
    groups.push(group);
    if (key) byKey.set(key, group);
  }

  // Tier 1: Apollo + Apify, in parallel per lead.
  await mapLimit(groups, concurrency, async (g) => {
    const input = lookupInputOf(g.leads[0]);
    await Promise.all([ask(drivers.apollo, input, g), ask(drivers.apify, input, g)]);
    if (g.errors.length === 0) g.enrichment = mergeResults(g.results, now, { lookedUp: ['apollo', 'apify'] });
    for (const l of g.leads) opts.onLeadDone?.(l.id);
  });

  // Tier 2: Clay for the leads that gain most, within the cap.
  const answered = groups.filter((g): g is Group & { enrichment: LeadEnrichment } => g.enrichment !== undefined);
  const { selected, capped } = selectForClay(
    answered.map((g) => ({ lead: g.leads[0], enrichment: g.enrichment })),
    leads.length,
  );
  const groupOfLead = new Map<string, Group>(answered.map((g) => [g.leads[0].id, g]));
  for (const id of capped) groupOfLead.get(id)!.clay = 'capped';
  await mapLimit(selected, concurrency, async (id) => {
    const g = groupOfLead.get(id)!;
    g.clay = 'used';
    await ask(drivers.clay, lookupInputOf(g.leads[0]), g);
    const lookedUp: EnrichmentSource[] = ['apollo', 'apify', 'clay'];
    g.enrichment = g.errors.length === 0 ? mergeResults(g.results, now, { lookedUp }) : undefined;
  });

  // Cache what every provider answered for.
  for (const g of groups) {
    if (g.key && g.enrichment) await writeCache(db, g.key, g.enrichment, now);
  }

  const groupOf = new Map(groups.flatMap((g) => g.leads.map((l) => [l.id, g] as const)));
  return leads.map((lead): ScoutResult => {
    const key = keyOf.get(lead.id) ?? null;
    const hit = key ? cached.get(key) : undefined;
    if (hit) return { leadId: lead.id, status: 'enriched', enrichment: hit, fromCache: true, cacheKey: key, clay: 'not_needed' };
    const g = groupOf.get(lead.id)!;
    if (!g.enrichment) return { leadId: lead.id, status: 'failed', cacheKey: key, errors: g.errors };
    return { leadId: lead.id, status: 'enriched', enrichment: g.enrichment, fromCache: false, cacheKey: key, clay: g.clay };
  });
}
