// Location clean-up for enriched leads: country names → ISO 3166-1 alpha-2 (what lead import
// stores), state names → their postal abbreviation (AU, US, CA), and the lead's time zone from
// country + state where that is unambiguous.
//
// Time zones are the main zone of each state/province (a state split across zones gets the zone
// most of its people live in: TX/TN Central, FL/IN/KY/MI Eastern, ID Mountain). A single-zone
// country needs no state (NZ, GB, IE, SG). AU, US and CA without a state are left unset: they span
// several zones and a guess would move send windows by hours. Any other country: unset.
import { countryCodeFromName, knownStateCode } from '../../shared/domain/places';

/** `Australia`, `au`, `AUS` → `AU`; null when unknown (never a guess). */
export function countryCode(value: string | null | undefined): string | null {
  const v = (value ?? '').trim();
  if (/^[A-Za-z]{2}$/.test(v)) return v.toUpperCase() === 'UK' ? 'GB' : v.toUpperCase();
  return v ? countryCodeFromName(v) : null;
}

/** `New South Wales` (AU) → `NSW`; abbreviations are upper-cased; other countries' states unchanged. */
export function stateCode(country: string | null, state: string | null | undefined): string | null {
  const s = (state ?? '').trim();
  if (!s) return null;
  return (country ? knownStateCode(country, s) : null) ?? s;
}

const SINGLE_ZONE: Readonly<Record<string, string>> = {
  NZ: 'Pacific/Auckland',
  GB: 'Europe/London',
  IE: 'Europe/Dublin',
  SG: 'Asia/Singapore',
};

const AU_ZONES: Readonly<Record<string, string>> = {
  NSW: 'Australia/Sydney',
  ACT: 'Australia/Sydney',
  VIC: 'Australia/Melbourne',
  QLD: 'Australia/Brisbane',
  SA: 'Australia/Adelaide',
  WA: 'Australia/Perth',
  TAS: 'Australia/Hobart',
  NT: 'Australia/Darwin',
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
const US_ZONES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(US_ZONE_STATES).flatMap(([zone, states]) => states.map((s) => [s, zone])));

const CA_ZONES: Readonly<Record<string, string>> = {
  BC: 'America/Vancouver',
  AB: 'America/Edmonton',
  NT: 'America/Edmonton',
  SK: 'America/Regina',
  MB: 'America/Winnipeg',
  ON: 'America/Toronto',
  QC: 'America/Toronto',
  NB: 'America/Halifax',
  NS: 'America/Halifax',
  PE: 'America/Halifax',
  NL: 'America/St_Johns',
  YT: 'America/Whitehorse',
  NU: 'America/Iqaluit',
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

export { isIanaTimeZone } from '../../shared/domain/time-zones';
