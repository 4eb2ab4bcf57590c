// Merges provider results into one record, field by field: the first source in the precedence
// order that has a value wins, and `fieldSources` remembers which one it was.
//
//   person  (title, phone, location…)   apollo → apify → clay → derived
//   company (name, industry, size…)     apollo → apify → clay → derived
//   signals (hiring, posts, growth…)    apify → apollo → clay
//
// Apollo leads on people and firmographics (a curated database with normalised industries and
// headcounts); Apify leads on signals because it scrapes them live; Clay is the fallback, so it
// only fills gaps; values a sandbox derived from the lead's own data come last.
import type { EnrichmentSource, ProviderResult } from '../../integrations/enrichment';
import type { ContributingSource, LeadEnrichment } from './types';

type Section = 'person' | 'company' | 'signals';

export const PRECEDENCE: Readonly<Record<Section, readonly ContributingSource[]>> = {
  person: ['apollo', 'apify', 'clay', 'derived'],
  company: ['apollo', 'apify', 'clay', 'derived'],
  signals: ['apify', 'apollo', 'clay', 'derived'],
};

const SOURCE_ORDER: readonly ContributingSource[] = ['apollo', 'apify', 'clay', 'derived'];

const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/** Splits a result into what the provider said and what a sandbox derived from the lead. */
function sectionsOf(result: ProviderResult): Map<ContributingSource, Partial<Record<Section, Record<string, unknown>>>> {
  const out = new Map<ContributingSource, Partial<Record<Section, Record<string, unknown>>>>();
  const derivedPaths = new Set<string>((result.derived ?? []).map((d) => d.field));
  for (const section of ['person', 'company', 'signals'] as const) {
    const data = result[section] as Record<string, unknown> | undefined;
    if (!data) continue;
    for (const [field, value] of Object.entries(data)) {
      const source: ContributingSource = derivedPaths.has(`${section}.${field}`) ? 'derived' : result.source;
      const bucket = out.get(source) ?? {};
      (bucket[section] ??= {})[field] = value;
      out.set(source, bucket);
    }
  }
  return out;
}

export function mergeResults(
  results: readonly ProviderResult[],
  fetchedAt: Date,
  extra: { lookedUp?: readonly EnrichmentSource[]; notes?: readonly string[] } = {},
): LeadEnrichment {
  const bySource = new Map<ContributingSource, Partial<Record<Section, Record<string, unknown>>>>();
  for (const result of results) {
    for (const [source, sections] of sectionsOf(result)) {
      const into = bySource.get(source) ?? {};
      for (const [section, data] of Object.entries(sections) as [Section, Record<string, unknown>][]) {
        into[section] = { ...into[section], ...data };
      }
      bySource.set(source, into);
    }
  }
  const merged: Record<Section, Record<string, unknown>> = { person: {}, company: {}, signals: {} };
  const fieldSources: Record<string, ContributingSource> = {};
  const contributed = new Set<ContributingSource>();
  for (const section of ['person', 'company', 'signals'] as const) {
    for (const source of PRECEDENCE[section]) {
      for (const [field, value] of Object.entries(bySource.get(source)?.[section] ?? {})) {
        if (!present(value) || present(merged[section][field])) continue;
        merged[section][field] = value;
        fieldSources[`${section}.${field}`] = source;
        contributed.add(source);
      }
    }
  }
  const notes = [...(extra.notes ?? []), ...results.filter((r) => r.note).map((r) => `${r.source}: ${r.note}`)];
  return {
    version: 1,
    person: merged.person,
    company: merged.company,
    signals: merged.signals,
    sources: SOURCE_ORDER.filter((s) => contributed.has(s)),
    fieldSources,
    lookedUp: [...new Set(extra.lookedUp ?? results.map((r) => r.source))],
    ...(notes.length > 0 ? { notes: [...new Set(notes)] } : {}),
    fetchedAt: fetchedAt.toISOString(),
  };
}
