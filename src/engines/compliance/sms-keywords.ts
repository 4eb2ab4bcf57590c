// Carrier / CTIA SMS keywords. Carriers (and Twilio's default opt-out handling) act on a message that
// *is* the keyword, not one that merely contains it ("please stop by the office" is not an opt-out),
// so matching is whole-message: case, spacing and trailing punctuation are ignored, nothing else.

export type SmsKeywordKind = 'opt_out' | 'opt_in' | 'help';

export const SMS_OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'] as const;
export const SMS_OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;
export const SMS_HELP_KEYWORDS = ['HELP', 'INFO'] as const;

const KEYWORDS = new Map<string, SmsKeywordKind>([
  ...SMS_OPT_OUT_KEYWORDS.map((k) => [k, 'opt_out'] as const),
  ...SMS_OPT_IN_KEYWORDS.map((k) => [k, 'opt_in'] as const),
  ...SMS_HELP_KEYWORDS.map((k) => [k, 'help'] as const),
]);

// Phones add all sorts of trailing marks ("Stop.", "STOP!!", "stop 🙏" is *not* covered: emoji carry
// meaning a carrier would not strip either).
const TRAILING_PUNCTUATION = /[\s.,!?;:'"`~\-_)\]}*]+$/u;
const LEADING_PUNCTUATION = /^[\s"'`([{*]+/u;

/** Normalises an SMS body for keyword matching: NFKC, upper case, no whitespace, no edge punctuation. */
export function normalizeSmsKeyword(body: string): string {
  return (
    body
      .normalize('NFKC')
      .replace(LEADING_PUNCTUATION, '')
      .replace(TRAILING_PUNCTUATION, '')
      // Whitespace-insensitive inside too: "STOP ALL" and "opt out" are the STOPALL / OPTOUT keywords.
      .replace(/\s+/gu, '')
      .toUpperCase()
  );
}

/** The keyword class of a whole inbound SMS body, or null when the body is not a keyword. */
export function smsKeyword(body: string | null | undefined): SmsKeywordKind | null {
  if (typeof body !== 'string') return null;
  const normalized = normalizeSmsKeyword(body);
  if (normalized.length === 0 || normalized.length > 16) return null;
  return KEYWORDS.get(normalized) ?? null;
}
