// Location clean-up for enriched leads: country names → ISO 3166-1 alpha-2 (what lead import
// stores), state names → their postal abbreviation (AU, US, CA), and the lead's time zone from
// country + state where that is unambiguous.
//
// Time zones are the main zone of each state/province (a state split across zones gets the zone
// most of its people live in: TX/TN Central, FL/IN/KY/MI Eastern, ID Mountain). A single-zone
// country needs no state (NZ, GB, IE, SG). AU, US and CA without a state are left unset: they span
// several zones and a guess would move send windows by hours. Any other country: unset.

const COUNTRY_CODES: Readonly<Record<string, string>> = {
  australia: 'AU', 'new zealand': 'NZ', aotearoa: 'NZ', 'united kingdom': 'GB', uk: 'GB', 'great britain': 'GB',
  england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB', 'united states': 'US',
  'united states of america': 'US', usa: 'US', canada: 'CA', ireland: 'IE', singapore: 'SG', india: 'IN',
  germany: 'DE', france: 'FR', netherlands: 'NL', spain: 'ES', italy: 'IT', sweden: 'SE', japan: 'JP',
  'south africa': 'ZA', philippines: 'PH', 'hong kong': 'HK', 'united arab emirates': 'AE', brazil: 'BR', mexico: 'MX',
};

/** `Australia`, `au`, `AUS`? → `AU`; null when unknown (never a guess). */
export function countryCode(value: string | null | undefined): string | null {
  const v = (value ?? '').trim();
  if (/^[A-Za-z]{2}$/.test(v)) return v.toUpperCase() === 'UK' ? 'GB' : v.toUpperCase();
  return COUNTRY_CODES[v.toLowerCase().replace(/\s+/g, ' ')] ?? null;
}

const AU_STATES: Readonly<Record<string, string>> = {
  'new south wales': 'NSW', victoria: 'VIC', queensland: 'QLD', 'south australia': 'SA', 'western australia': 'WA',
  tasmania: 'TAS', 'australian capital territory': 'ACT', 'northern territory': 'NT',
};

const US_STATES: Readonly<Record<string, string>> = {
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT',
  delaware: 'DE', 'district of columbia': 'DC', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID', illinois: 'IL',
  indiana: 'IN', iowa: 'IA', kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME', maryland: 'MD',
  massachusetts: 'MA', michigan: 'MI', minnesota: 'MN', mississippi: 'MS', missouri: 'MO', montana: 'MT',
  nebraska: 'NE', nevada: 'NV', 'new hampshire': 'NH', 'new jersey': 'NJ', 'new mexico': 'NM', 'new york': 'NY',
  'north carolina': 'NC', 'north dakota': 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR', pennsylvania: 'PA',
  'rhode island': 'RI', 'south carolina': 'SC', 'south dakota': 'SD', tennessee: 'TN', texas: 'TX', utah: 'UT',
  vermont: 'VT', virginia: 'VA', washington: 'WA', 'west virginia': 'WV', wisconsin: 'WI', wyoming: 'WY',
};

const CA_PROVINCES: Readonly<Record<string, string>> = {
  alberta: 'AB', 'british columbia': 'BC', manitoba: 'MB', 'new brunswick': 'NB', 'newfoundland and labrador': 'NL',
  newfoundland: 'NL', 'nova scotia': 'NS', ontario: 'ON', 'prince edward island': 'PE', quebec: 'QC', québec: 'QC',
  saskatchewan: 'SK', 'northwest territories': 'NT', nunavut: 'NU', yukon: 'YT',
};

const STATES_BY_COUNTRY: Readonly<Record<string, Readonly<Record<string, string>>>> = { AU: AU_STATES, US: US_STATES, CA: CA_PROVINCES };

/** `New South Wales` (AU) → `NSW`; abbreviations are upper-cased; other countries' states unchanged. */
export function stateCode(country: string | null, state: string | null | undefined): string | null {
  const s = (state ?? '').trim();
  if (!s) return null;
  const table = country ? STATES_BY_COUNTRY[country] : undefined;
  if (!table) return s;
  const byName = table[s.toLowerCase().replace(/\s+/g, ' ')];
  if (byName) return byName;
  const upper = s.toUpperCase();
  return Object.values(table).includes(upper) ? upper : s;
}

const SINGLE_ZONE: Readonly<Record<string, string>> = {
  NZ: 'Pacific/Auckland',
  GB: 'Europe/London',
  IE: 'Europe/Dublin',
  SG: 'Asia/Singapore',
};

const AU_ZONES: Readonly<Record<string, string>> = {
  NSW: 'Australia/Sydney', ACT: 'Australia/Sydney', VIC: 'Australia/Melbourne', QLD: 'Australia/Brisbane',
  SA: 'Australia/Adelaide', WA: 'Australia/Perth', TAS: 'Australia/Hobart', NT: 'Australia/Darwin',
};

const US_ZONE_STATES: Readonly<Record<string, readonly string[]>> = {
  'America/New_York': ['CT', 'DE', 'DC', 'FL', 'GA', 'IN', 'KY', 'ME', 'MD', 'MA', 'MI', 'NH', 'NJ', 'NY', 'NC', 'OH', 'PA', 'RI', 'SC', 'VT', 'VA', 'WV'],
  'America/Chicago': ['AL', 'AR', 'IL', 'IA', 'KS', 'LA', 'MN', 'MS', 'MO', 'NE', 'ND', 'OK', 'SD', 'TN', 'TX', 'WI'],
  'America/Denver': ['CO', 'ID', 'MT', 'NM', 'UT', 'WY'],
  'America/Phoenix': ['AZ'],
  'America/Los_Angeles': ['CA', 'NV', 'OR', 'WA'],
  'America/Anchorage': ['AK'],
  'Pacific/Honolulu': ['HI'],
};
const US_ZONES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(US_ZONE_STATES).flatMap(([zone, states]) => states.map((s) => [s, zone])),
);

const CA_ZONES: Readonly<Record<string, string>> = {
  BC: 'America/Vancouver', AB: 'America/Edmonton', NT: 'America/Edmonton', SK: 'America/Regina', MB: 'America/Winnipeg',
  ON: 'America/Toronto', QC: 'America/Toronto', NB: 'America/Halifax', NS: 'America/Halifax', PE: 'America/Halifax',
  NL: 'America/St_Johns', YT: 'America/Whitehorse', NU: 'America/Iqaluit',
};

const ZONES_BY_STATE: Readonly<Record<string, Readonly<Record<string, string>>>> = { AU: AU_ZONES, US: US_ZONES, CA: CA_ZONES };

/** The IANA zone for an ISO country and (normalised) state, or null when it is not unambiguous. */
export function timeZoneFor(country: string | null | undefined, state: string | null | undefined): string | null {
  const c = countryCode(country);
  if (!c) return null;
  if (SINGLE_ZONE[c]) return SINGLE_ZONE[c];
  const zones = ZONES_BY_STATE[c];
  const s = stateCode(c, state);
  return zones && s ? (zones[s] ?? null) : null;
}

export function isIanaTimeZone(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
