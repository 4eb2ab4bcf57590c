// Postal addresses of leads, for direct mail: one structured shape (street lines, city, state,
// postcode, ISO country), validated per country when it comes in (import, PATCH, enrichment), and
// the address block a letter prints in its envelope window. Postcode formats come from the
// `postcode-validator` package (per-country patterns); states of AU, US and CA from the shared table.
import { postcodeValidator, postcodeValidatorExistsForCountry } from 'postcode-validator';
import { countryCodeFromName, knownStateCode } from '../shared/domain/places';

export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  state?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** The lead columns that hold it. */
export interface LeadAddressColumns {
  addressLine1: string | null;
  addressLine2: string | null;
  addressCity: string | null;
  addressState: string | null;
  addressPostalCode: string | null;
  addressCountry: string | null;
}

export const ADDRESS_FIELDS = ['addressLine1', 'addressLine2', 'addressCity', 'addressState', 'addressPostalCode', 'addressCountry'] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

// Countries whose mail needs a state/province on the address (and whose states we know).
const STATE_REQUIRED = new Set(['AU', 'US', 'CA']);

export interface AddressIssue {
  field: AddressField;
  message: string;
}

const clean = (v: string | null | undefined) => {
  const t = v?.trim();
  return t ? t : undefined;
};

/**
 * Validates an address given as lead columns; `fallback` fills city, state and country from the
 * lead's location fields when the address leaves them out (a CSV with Street, City, State, Postcode,
 * Country columns). Returns the normalized address (state abbreviated, postcode upper-cased, country
 * as its alpha-2 code) or the issues, each naming its field.
 */
export function validatePostalAddress(
  fields: Partial<Record<AddressField, string | null | undefined>>,
  fallback: { city?: string | null; state?: string | null; country?: string | null } = {},
): { address: PostalAddress; issues?: undefined } | { address?: undefined; issues: AddressIssue[] } {
  const issues: AddressIssue[] = [];
  const line1 = clean(fields.addressLine1);
  const line2 = clean(fields.addressLine2);
  const city = clean(fields.addressCity) ?? clean(fallback.city);
  const rawCountry = clean(fields.addressCountry) ?? clean(fallback.country);
  const rawState = clean(fields.addressState) ?? clean(fallback.state);
  const rawPostcode = clean(fields.addressPostalCode);
  if (!line1) issues.push({ field: 'addressLine1', message: 'a postal address needs its street line' });
  if (!city) issues.push({ field: 'addressCity', message: 'a postal address needs its city or locality' });
  let country: string | undefined;
  if (!rawCountry) issues.push({ field: 'addressCountry', message: 'a postal address needs its country' });
  else {
    country = /^[A-Za-z]{2}$/.test(rawCountry) ? rawCountry.toUpperCase() : (countryCodeFromName(rawCountry) ?? undefined);
    if (!country) issues.push({ field: 'addressCountry', message: 'must be an ISO 3166-1 country code or name' });
  }
  let state = rawState;
  const postalCode = rawPostcode?.toUpperCase().replace(/\s+/g, ' ');
  if (country) {
    if (STATE_REQUIRED.has(country)) {
      const code = rawState ? knownStateCode(country, rawState) : null;
      if (!code)
        issues.push({
          field: 'addressState',
          message: rawState ? `must be a state or territory of ${country}` : `a postal address in ${country} needs its state`,
        });
      else state = code;
    }
    if (postcodeValidatorExistsForCountry(country)) {
      if (!postalCode) issues.push({ field: 'addressPostalCode', message: `a postal address in ${country} needs its postcode` });
      else if (!postcodeValidator(postalCode, country)) issues.push({ field: 'addressPostalCode', message: `must be a postcode of ${country}` });
    }
  }
  if (issues.length > 0 || !line1 || !city || !country) return { issues };
  return {
    address: {
      line1,
      ...(line2 ? { line2 } : {}),
      city,
      ...(state ? { state } : {}),
      ...(postalCode ? { postalCode } : {}),
      country,
    },
  };
}

/** Whether any of the address columns is given (blank strings do not count). */
export function hasAddressInput(fields: Partial<Record<AddressField, unknown>>): boolean {
  return ADDRESS_FIELDS.some((f) => typeof fields[f] === 'string' && (fields[f] as string).trim() !== '');
}

/** The address as lead columns (every column, so an update replaces the whole address). */
export function addressColumns(a: PostalAddress | null): LeadAddressColumns {
  return {
    addressLine1: a?.line1 ?? null,
    addressLine2: a?.line2 ?? null,
    addressCity: a?.city ?? null,
    addressState: a?.state ?? null,
    addressPostalCode: a?.postalCode ?? null,
    addressCountry: a?.country ?? null,
  };
}

/** The stored address of a lead, or null when it has none (stored addresses were validated on the way in). */
export function leadPostalAddress(lead: LeadAddressColumns): PostalAddress | null {
  if (!lead.addressLine1 || !lead.addressCity || !lead.addressCountry) return null;
  return {
    line1: lead.addressLine1,
    ...(lead.addressLine2 ? { line2: lead.addressLine2 } : {}),
    city: lead.addressCity,
    ...(lead.addressState ? { state: lead.addressState } : {}),
    ...(lead.addressPostalCode ? { postalCode: lead.addressPostalCode } : {}),
    country: lead.addressCountry,
  };
}

// How the last lines read, by country: Australia, North America and NZ put the postcode after the
// locality on one line; the UK puts it on its own line; most of Europe (and the default) before it.
const LOCALITY_LINE_AFTER = new Set(['AU', 'US', 'CA', 'NZ']);
const POSTCODE_OWN_LINE = new Set(['GB', 'IE']);

/**
 * The lines of an address block, as the post reads them: street lines, locality line(s), then the
 * country in capitals when it is not the sender's. The locality is capitalised for AU/NZ/US/CA
 * (as Australia Post and USPS ask).
 */
export function addressBlockLines(a: PostalAddress, senderCountry?: string | null): string[] {
  const lines = [a.line1, ...(a.line2 ? [a.line2] : [])];
  if (LOCALITY_LINE_AFTER.has(a.country)) {
    lines.push([a.city.toUpperCase(), a.state, a.postalCode].filter(Boolean).join(' '));
  } else if (POSTCODE_OWN_LINE.has(a.country)) {
    lines.push(a.city.toUpperCase());
    if (a.postalCode) lines.push(a.postalCode);
  } else {
    lines.push([a.postalCode, a.city].filter(Boolean).join(' '));
  }
  if (!senderCountry || senderCountry.toUpperCase() !== a.country) lines.push(countryName(a.country).toUpperCase());
  return lines;
}

function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    // RangeError: not a region code Intl knows; the code itself is still what the post reads.
    return code;
  }
}

/**
 * The company address an enrichment found (street, city, state, postcode, country), validated as an
 * import would be; null when it is incomplete or invalid for its country.
 */
export function addressFromCompany(
  c: { streetAddress?: string; city?: string; state?: string; postalCode?: string; country?: string } | undefined,
): PostalAddress | null {
  if (!c?.streetAddress) return null;
  const checked = validatePostalAddress({
    addressLine1: c.streetAddress,
    addressCity: c.city,
    addressState: c.state,
    addressPostalCode: c.postalCode,
    addressCountry: c.country,
  });
  return checked.address ?? null;
}
