// Place names shared by lead import, enrichment and scoring: country names → ISO 3166-1 alpha-2 and
// state/province names → their postal abbreviation (AU, US, CA). Defined once here; scoring and the
// scout's location clean-up had a table each, and the holiday calendar a third list of AU states.
import { whereAlpha3, whereCountry } from 'iso-3166-1';

export const AU_STATE_CODES = ['ACT', 'NSW', 'NT', 'QLD', 'SA', 'TAS', 'VIC', 'WA'] as const;
export type AuStateCode = (typeof AU_STATE_CODES)[number];

// Everyday names the standard's own names do not cover ("UK", "England", "USA" as a word).
const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  australia: 'AU',
  'new zealand': 'NZ',
  aotearoa: 'NZ',
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  'united states': 'US',
  'united states of america': 'US',
  usa: 'US',
  canada: 'CA',
  ireland: 'IE',
  singapore: 'SG',
  india: 'IN',
  germany: 'DE',
  france: 'FR',
  netherlands: 'NL',
  spain: 'ES',
  italy: 'IT',
  sweden: 'SE',
  japan: 'JP',
  'south africa': 'ZA',
  philippines: 'PH',
  'hong kong': 'HK',
  'united arab emirates': 'AE',
  brazil: 'BR',
  mexico: 'MX',
};

const key = (value: string) => value.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * A country written as a name or an alpha-3 code (`Australia`, `AUS`) → its alpha-2 code; null when
 * unknown (never a guess). Two letters are left to the caller: "WA" is a state to the scorer.
 */
export function countryCodeFromName(value: string): string | null {
  const k = key(value);
  if (k.length <= 2) return null;
  const named = COUNTRY_NAMES[k];
  if (named) return named;
  if (/^[a-z]{3}$/.test(k)) return whereAlpha3(k.toUpperCase())?.alpha2 ?? null;
  return whereCountry(value.trim())?.alpha2 ?? null;
}

const AU_STATES: Readonly<Record<string, AuStateCode>> = {
  'new south wales': 'NSW',
  victoria: 'VIC',
  queensland: 'QLD',
  'south australia': 'SA',
  'western australia': 'WA',
  tasmania: 'TAS',
  'australian capital territory': 'ACT',
  'northern territory': 'NT',
};

const US_STATES: Readonly<Record<string, string>> = {
  alabama: 'AL',
  alaska: 'AK',
  arizona: 'AZ',
  arkansas: 'AR',
  california: 'CA',
  colorado: 'CO',
  connecticut: 'CT',
  delaware: 'DE',
  'district of columbia': 'DC',
  florida: 'FL',
  georgia: 'GA',
  hawaii: 'HI',
  idaho: 'ID',
  illinois: 'IL',
  indiana: 'IN',
  iowa: 'IA',
  kansas: 'KS',
  kentucky: 'KY',
  louisiana: 'LA',
  maine: 'ME',
  maryland: 'MD',
  massachusetts: 'MA',
  michigan: 'MI',
  minnesota: 'MN',
  mississippi: 'MS',
  missouri: 'MO',
  montana: 'MT',
  nebraska: 'NE',
  nevada: 'NV',
  'new hampshire': 'NH',
  'new jersey': 'NJ',
  'new mexico': 'NM',
  'new york': 'NY',
  'north carolina': 'NC',
  'north dakota': 'ND',
  ohio: 'OH',
  oklahoma: 'OK',
  oregon: 'OR',
  pennsylvania: 'PA',
  'rhode island': 'RI',
  'south carolina': 'SC',
  'south dakota': 'SD',
  tennessee: 'TN',
  texas: 'TX',
  utah: 'UT',
  vermont: 'VT',
  virginia: 'VA',
  washington: 'WA',
  'west virginia': 'WV',
  wisconsin: 'WI',
  wyoming: 'WY',
};

const CA_PROVINCES: Readonly<Record<string, string>> = {
  alberta: 'AB',
  'british columbia': 'BC',
  manitoba: 'MB',
  'new brunswick': 'NB',
  'newfoundland and labrador': 'NL',
  newfoundland: 'NL',
  'nova scotia': 'NS',
  ontario: 'ON',
  'prince edward island': 'PE',
  quebec: 'QC',
  québec: 'QC',
  saskatchewan: 'SK',
  'northwest territories': 'NT',
  nunavut: 'NU',
  yukon: 'YT',
};

const STATES_BY_COUNTRY: Readonly<Record<string, Readonly<Record<string, string>>>> = { AU: AU_STATES, US: US_STATES, CA: CA_PROVINCES };

/** A state of `country` (AU, US, CA) by name or abbreviation → its abbreviation; null when unknown. */
export function knownStateCode(country: string, state: string): string | null {
  const table = STATES_BY_COUNTRY[country];
  if (!table) return null;
  const byName = table[key(state)];
  if (byName) return byName;
  const upper = state.trim().toUpperCase();
  return Object.values(table).includes(upper) ? upper : null;
}

/** An Australian state by name or abbreviation (`Victoria`, `vic`) → `VIC`; undefined when it is none. */
export function auStateCode(state: string): AuStateCode | undefined {
  return (knownStateCode('AU', state) ?? undefined) as AuStateCode | undefined;
}
