// IANA time zone names, checked by the runtime's own tz database (Intl) rather than a list of ours.

/** True for a zone name Intl knows (`Australia/Sydney`, `UTC`); false for anything else. */
export function isIanaTimeZone(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    // Intl throws a RangeError for a zone it does not know: that is the answer.
    return false;
  }
}
