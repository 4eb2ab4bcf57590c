// Phone numbers, one way everywhere: what is stored, suppressed, washed against the Do Not Call
// Register and matched to an inbound SMS or STOP goes through libphonenumber-js, so "+61 (0)4…",
// "04…" and "+614…" are one number and a UK or NZ national "07…"/"021…" gets its own country code.
// National numbers need a country: the lead's, else the client's, else AU (the agency's home).
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export const DEFAULT_PHONE_COUNTRY = 'AU';

function countryOrUndefined(country: string | null | undefined): CountryCode | undefined {
  const c = country?.trim().toUpperCase();
  return c && isSupportedCountry(c) ? c : undefined;
}

/** E.164 for a possible phone number (national ones read in `defaultCountry`), or null. */
export function parsePhone(input: string, defaultCountry: string | null | undefined = DEFAULT_PHONE_COUNTRY): string | null {
  const trimmed = input.trim();
  if (!/\d/.test(trimmed)) return null;
  const country = countryOrUndefined(defaultCountry) ?? DEFAULT_PHONE_COUNTRY;
  const candidates = [trimmed];
  // "00" is the international prefix in most of the world (Australia's is 0011, which the library knows).
  const compact = trimmed.replace(/[^\d+]/g, '');
  if (/^00[1-9]/.test(compact)) candidates.push(`+${compact.slice(2)}`);
  let possible: string | null = null;
  for (const candidate of candidates) {
    const n = parsePhoneNumberFromString(candidate, country);
    if (!n) continue;
    if (n.isValid()) return n.number;
    if (!possible && n.isPossible()) possible = n.number;
  }
  return possible;
}

/**
 * The comparison key of a phone number: its E.164 form when it parses, else `+` and its digits (a
 * short code or garbage still compares equal to itself). Storing code validates with parsePhone first.
 */
export function normalizePhone(input: string, defaultCountry: string | null | undefined = DEFAULT_PHONE_COUNTRY): string {
  const parsed = parsePhone(input, defaultCountry);
  if (parsed) return parsed;
  const digits = input.replace(/\D/g, '');
  return digits ? `+${digits}` : input.trim();
}

/** The spellings a number may be stored in: as given, E.164, and national digits ("0412345678"). */
export function phoneSpellings(input: string, defaultCountry: string | null | undefined = DEFAULT_PHONE_COUNTRY): string[] {
  const out = new Set([input.trim(), normalizePhone(input, defaultCountry)]);
  const n = parsePhoneNumberFromString(normalizePhone(input, defaultCountry));
  if (n) out.add(n.formatNational().replace(/\D/g, ''));
  return [...out];
}

/** The country a number belongs to (ISO 3166-1 alpha-2), when known. */
export function phoneCountry(input: string, defaultCountry: string | null | undefined = DEFAULT_PHONE_COUNTRY): string | undefined {
  return parsePhoneNumberFromString(normalizePhone(input, defaultCountry))?.country;
}
