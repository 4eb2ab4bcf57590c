// Country codes are ISO 3166-1 alpha-2 (the standard's own list, from the iso-3166-1 package): "ZZ"
// or "XX" look like codes but name no country, and holidays, phone parsing and DNCR depend on it.
import { whereAlpha2 } from 'iso-3166-1';
import { z } from 'zod';

export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && whereAlpha2(code) !== undefined;
}

export const COUNTRY_MESSAGE = 'must be an ISO 3166-1 alpha-2 country code such as AU';

/** A country code, upper-cased; refuses two letters that are not an ISO 3166-1 country. */
export const countryCode = z.string().trim().toUpperCase().refine(isCountryCode, COUNTRY_MESSAGE);
