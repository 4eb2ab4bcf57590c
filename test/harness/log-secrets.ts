// What must never be in a log line: the configured secrets, API keys and unsubscribe tokens (long-
// lived credentials in `/u/<token>` links). Every test stack checks its own captured lines when it
// stops, so a whole test run's logs are checked, not only the lines one test looks at.
import type { Config } from '../../src/config';

// Values shorter than this are test placeholders too common to search for meaningfully.
const MIN_SECRET_CHARS = 12;
const SECRET_KEYS = [
  'SIGNING_SECRET',
  'POSTMARK_SERVER_TOKEN',
  'POSTMARK_WEBHOOK_PASSWORD',
  'WEBHOOK_SHARED_SECRET',
  'TWILIO_AUTH_TOKEN',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'ANTHROPIC_API_KEY',
  'HEYREACH_API_KEY',
  'VAPI_API_KEY',
  'CLICKSEND_API_KEY',
  'APOLLO_API_KEY',
  'APIFY_TOKEN',
  'CLAY_API_KEY',
  'DNCR_API_KEY',
] as const satisfies readonly (keyof Config)[];

// A signed unsubscribe token in a link: `/u/<base64url payload>.<base64url signature>`.
const UNSUBSCRIBE_LINK = /\/u\/[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/;

/** The configured secrets worth searching the logs for. */
export function configuredSecrets(config: Config, extra: string[] = []): string[] {
  const values = SECRET_KEYS.map((k) => config[k]).filter((v): v is string => typeof v === 'string');
  return [...values, ...extra].filter((v) => v.length >= MIN_SECRET_CHARS);
}

/** Findings: which secret (by position, never its value) or token link appears in which line. */
export function secretsInLogs(lines: readonly string[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  lines.forEach((line, i) => {
    secrets.forEach((s, j) => {
      if (line.includes(s)) found.push(`line ${i}: secret #${j}`);
    });
    const link = UNSUBSCRIBE_LINK.exec(line);
    if (link) found.push(`line ${i}: unsubscribe link ${link[0].slice(0, 12)}…`);
  });
  return found;
}
