// The Scout engine: enrichment waterfall, cache, merge precedence, Clay selection and the mapping
// of an enrichment to lead columns and to the scorer's input.
export { runWaterfall, lookupInputOf, type WaterfallOptions } from './waterfall';
export { cacheKeyFor, normalizeLinkedinUrl, readCache, writeCache, purgeExpiredCache, CACHE_TTL_DAYS, CACHE_VERSION } from './cache';
export { mergeResults, PRECEDENCE } from './merge';
export { clayCap, missingKeyFields, selectForClay, CLAY_MAX_SHARE, KEY_FIELD_WEIGHTS, type KeyField } from './clay-selection';
export { leadColumnUpdate, toLeadFacts, type LeadColumnUpdate, type LeadHistory } from './lead-mapping';
export { countryCode, stateCode, timeZoneFor } from './locations';
export type { ClayOutcome, ContributingSource, LeadEnrichment, ScoutError, ScoutLead, ScoutResult } from './types';
