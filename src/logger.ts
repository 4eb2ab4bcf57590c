// One pino logger for the whole process. Secrets are removed by path before a line is written, so
// neither API keys, authorization headers, provider tokens nor database passwords reach the logs.
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-webhook-secret"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'password',
  'token',
  'apiKey',
  'secret',
  'databaseUrl',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.authorization',
  '*.databaseUrl',
  '*.DATABASE_URL',
  '*.key',
];

// Paths whose segment is a credential (one-click unsubscribe tokens are long-lived), and query
// parameters that carry one: their values never reach a log line.
const SECRET_PATH = /^((?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/u\/)[^/?#]+/i;
const SECRET_QUERY_PARAM = /^(?:token|access_token|signature|sig|key|api_key|secret|code|password)$/i;

/** A request URL (path or absolute, e.g. a Referer) as it may be logged: token-bearing parts redacted. */
export function redactRequestUrl(url: string): string {
  let out = url.replace(SECRET_PATH, '$1[redacted]');
  const q = out.indexOf('?');
  if (q >= 0) {
    const hash = out.indexOf('#', q);
    const query = out.slice(q + 1, hash < 0 ? undefined : hash);
    const redacted = query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        let decoded = name;
        try {
          decoded = decodeURIComponent(name.replaceAll('+', ' '));
        } catch {
          // A malformed escape: match the name as written.
        }
        return eq >= 0 && SECRET_QUERY_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
      })
      .join('&');
    out = `${out.slice(0, q + 1)}${redacted}${hash < 0 ? '' : out.slice(hash)}`;
  }
  return out;
}

/** Strips the password from a connection string so it can be shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL (TypeError): log a placeholder, never the raw text (it may hold a password).
    return '[unparseable url]';
  }
}

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set; else readable lines for a person at a terminal, JSON for pipes and collectors. */
export function resolveLogFormat(configured: LogFormat | undefined, stdoutIsTTY: boolean | undefined): LogFormat {
  return configured ?? (stdoutIsTTY ? 'pretty' : 'json');
}

/** Where lines go when no destination is given: stdout, as JSON or through pino-pretty. */
function stdoutDestination(format: LogFormat): DestinationStream | undefined {
  if (format === 'json') return undefined; // pino's own fast stdout writer
  // Colours when the terminal supports them (pino-pretty's own check). In-thread and synchronous,
  // not a transport's worker thread: no line is lost at process.exit, and redaction has happened
  // before pino-pretty sees the line.
  return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

/**
 * The process logger. `destination` (tests, captures) always receives JSON; otherwise stdout gets
 * `format` (see resolveLogFormat).
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  return pino(
    {
      level,
      base: { service: 'agency-os' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? stdoutDestination(format),
  );
}
