// Every environment variable the service reads, validated once. A bad value stops start-up with one
// message that names every offending variable (see loadConfig / ConfigError).
import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const optionalUrl = z.string().url().optional();
const optionalSecret = z.string().min(1).optional();
const isPriceTableJson = (v: string) => {
  try {
    const t = JSON.parse(v) as unknown;
    return (
      typeof t === 'object' &&
      t !== null &&
      Object.values(t).every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && n >= 0))
    );
  } catch {
    // Not JSON (SyntaxError): the setting is refused with its message.
    return false;
  }
};
const isSkillLimitsJson = (v: string) => {
  try {
    const t = JSON.parse(v) as unknown;
    return typeof t === 'object' && t !== null && !Array.isArray(t) && Object.values(t).every((n) => Number.isInteger(n) && (n as number) >= 0);
  } catch {
    // Not JSON (SyntaxError): the setting is refused with its message.
    return false;
  }
};
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** TRUST_PROXY entries, or null when one is not an address, a CIDR range or a name Express knows. */
function parseTrustProxy(value: string): string[] | null {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const valid = (e: string) => {
    if (PROXY_NAMES.has(e)) return true;
    const [addr, bits, ...rest] = e.split('/');
    const family = isIP(addr);
    if (!family || rest.length) return false;
    if (bits === undefined) return true;
    return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
  };
  return entries.every(valid) ? entries : null;
}
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // all: API + worker in one process (npm start); api / worker: one role each (docker-compose).
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  PORT: port.default(3000),
  // ROLE=worker: its health endpoint (GET /health/ready is 200 while the worker polls), on HOST; 0 turns it off.
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Log lines: `json` (one object a line, for pipes and collectors) or `pretty` (readable, via
  // pino-pretty); unset: pretty when stdout is a terminal, JSON otherwise.
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  // Prometheus: when set, GET /metrics (API port) and the worker's metrics port need
  // `Authorization: Bearer <METRICS_TOKEN>`; unset, they answer anyone who reaches the port.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // The worker's Prometheus port (Temporal SDK worker metrics, plus this process's own when it runs
  // no API), on HOST; 0 turns it off.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // Tracing (OpenTelemetry, src/observability/tracing.ts): on when the OTLP endpoint is set (the
  // exporter reads the other standard OTEL_EXPORTER_OTLP_* variables itself); the service name
  // defaults to agency-os-api, agency-os-worker or agency-os (ROLE=all).
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: z.string().min(1).max(128).optional(),
  PUBLIC_URL: optionalUrl,
  // Comma-separated origins allowed to call the API from a browser (`*` for any); none by default.
  CORS_ORIGINS: z.string().optional(),
  // Requests per minute per API key, per user (all their keys together) and per client IP (IPv6 by
  // /56; health checks exempt); 0 turns a limit off.
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_PER_USER: z.coerce.number().int().min(0).default(1200),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).default(1200),
  // Skill runs started per user per skill per hour (POST /runs and retries); a skill's front-matter
  // `runsPerHour` lowers it for expensive skills; SKILL_RUN_LIMITS ({"<slug>": n}) overrides both.
  // 0 turns the limit off.
  SKILL_RUNS_PER_HOUR: z.coerce.number().int().min(0).default(30),
  SKILL_RUN_LIMITS: z
    .string()
    .optional()
    .refine((v) => v === undefined || isSkillLimitsJson(v), 'must be JSON {"<skill slug>": runsPerHour}')
    .transform((v) => (v === undefined ? {} : (JSON.parse(v) as Record<string, number>))),
  // How long a signed output download link (GET /outputs/{id}/download?exp&sig) stays valid by default.
  OUTPUT_LINK_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
  // Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs, CIDRs, or Express's
  // `loopback`, `linklocal`, `uniquelocal`); none by default, so the client IP is the socket's.
  TRUST_PROXY: z
    .string()
    .optional()
    .refine((v) => v === undefined || parseTrustProxy(v) !== null, 'must be comma-separated IP addresses, CIDR ranges, loopback, linklocal or uniquelocal')
    .transform((v) => (v === undefined ? [] : parseTrustProxy(v)!)),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  PG_PORT: port.default(5432),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('agency-os'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  // The zone the sweep schedules' cron expressions are read in (business hours of the agency).
  SCHEDULE_TIME_ZONE: z.string().min(1).default('Australia/Sydney'),

  // Provider credentials: unset means the integration's sandbox driver is used.
  ANTHROPIC_API_KEY: optionalSecret,
  ANTHROPIC_BASE_URL: optionalUrl,
  // Claude models: a capable one for generation, a small fast one for classification/disambiguation.
  ANTHROPIC_MODEL_GENERATION: z.string().min(1).default('claude-sonnet-5-5'),
  ANTHROPIC_MODEL_FAST: z.string().min(1).default('claude-haiku-4-5'),
  // Price overrides (USD per million tokens), JSON: {"<model>":[input,output]}; see src/integrations/anthropic/models.ts.
  ANTHROPIC_PRICES: z
    .string()
    .optional()
    .refine((v) => v === undefined || isPriceTableJson(v), 'must be JSON {"<model>":[inputUsdPerMTok,outputUsdPerMTok]}'),
  // ICP website scraper: `local` (fetch + cheerio, robots.txt respected) or `apify` (needs APIFY_TOKEN).
  ICP_SCRAPER_DRIVER: z.enum(['local', 'apify']).default('local'),
  ICP_SCRAPER_MAX_PAGES: z.coerce.number().int().min(1).max(100).default(20),
  // Lets the scraper fetch loopback/private addresses (tests, intranet demos); off by default (SSRF guard).
  ICP_SCRAPER_ALLOW_PRIVATE_HOSTS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  POSTMARK_SERVER_TOKEN: optionalSecret,
  POSTMARK_BASE_URL: optionalUrl,
  POSTMARK_MESSAGE_STREAM: z.string().min(1).optional(),
  POSTMARK_WEBHOOK_USER: optionalSecret,
  POSTMARK_WEBHOOK_PASSWORD: optionalSecret,
  // The From address of service emails (member invitations); with Postmark it must be a verified sender.
  SYSTEM_EMAIL_FROM: z.email().default('no-reply@agency-os.invalid'),
  TWILIO_ACCOUNT_SID: optionalSecret,
  TWILIO_AUTH_TOKEN: optionalSecret,
  TWILIO_BASE_URL: optionalUrl,
  TWILIO_STATUS_CALLBACK_URL: optionalUrl,
  HEYREACH_API_KEY: optionalSecret,
  HEYREACH_BASE_URL: optionalUrl,
  // The HeyReach campaign first LinkedIn touches enrol leads in (its sequence sends `{message}`).
  HEYREACH_CAMPAIGN_ID: z.coerce.number().int().positive().optional(),
  VAPI_API_KEY: optionalSecret,
  VAPI_BASE_URL: optionalUrl,
  VAPI_ASSISTANT_ID: z.string().min(1).optional(),
  CLICKSEND_USERNAME: optionalSecret,
  CLICKSEND_API_KEY: optionalSecret,
  CLICKSEND_BASE_URL: optionalUrl,
  CLICKSEND_RETURN_ADDRESS_ID: z.coerce.number().int().positive().optional(),
  APOLLO_API_KEY: optionalSecret,
  APOLLO_BASE_URL: optionalUrl,
  APIFY_TOKEN: optionalSecret,
  APIFY_BASE_URL: optionalUrl,
  CLAY_API_KEY: optionalSecret,
  CLAY_BASE_URL: optionalUrl,
  // Lead enrichment (src/engines/scout): the Apify actor for LinkedIn/company signals (`user~name` or
  // its id; the real driver needs it and APIFY_TOKEN), its run timeout, and the Clay table webhook id
  // (the real Clay driver needs it and CLAY_API_KEY). Unset: the sandbox drivers are used.
  APIFY_ENRICHMENT_ACTOR: z.string().min(1).optional(),
  APIFY_ENRICHMENT_TIMEOUT_SECS: z.coerce.number().int().min(10).max(300).default(120),
  CLAY_ENRICHMENT_WEBHOOK_ID: z
    .string()
    .regex(/^[\w-]+$/, 'must be a Clay webhook id')
    .optional(),
  TELEGRAM_BOT_TOKEN: optionalSecret,
  TELEGRAM_BASE_URL: optionalUrl,
  TELEGRAM_WEBHOOK_SECRET: optionalSecret,
  // Lets skill-run callbacks go to loopback/private addresses (tests, intranet); off by default (SSRF guard).
  CALLBACK_ALLOW_PRIVATE_HOSTS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  WEBHOOK_SHARED_SECRET: optionalSecret,
  // Failed webhook authentications per minute per client IP before that IP gets 429 (a request with
  // good credentials is never refused by it); 0 turns the limit off.
  WEBHOOK_AUTH_FAILURES_PER_IP: z.coerce.number().int().min(0).default(30),
  // Inbound email: comma-separated authserv-ids (RFC 8601) whose Authentication-Results headers are
  // believed, e.g. the receiving MX in front of Postmark. Unset: none is (a sender can write any).
  INBOUND_TRUSTED_AUTHSERV_IDS: z.string().optional(),
  // Outbound webhooks (client endpoints): how long a delivery keeps retrying before it is failed, and
  // how long one attempt may take. Same SSRF guard as callbacks (CALLBACK_ALLOW_PRIVATE_HOSTS).
  WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(86_400),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // Scheduling tools' webhooks (meetings): Cal.com's webhook secret (X-Cal-Signature-256) and the
  // signing key of the Calendly webhook subscription (Calendly-Webhook-Signature). Unset: refused.
  CALCOM_WEBHOOK_SECRET: optionalSecret,
  CALENDLY_WEBHOOK_SIGNING_KEY: optionalSecret,
  // A reply review still unresolved after this long is told to the client again (reply.needs_review
  // with stale: true), once: `<n>m`, `<n>h` or `<n>d`.
  REVIEW_STALE_AFTER: z
    .string()
    .regex(/^\d{1,5}[mhd]$/, 'must be a duration such as 30m, 24h or 2d')
    .default('24h')
    .transform((v) => Number(v.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[v.slice(-1) as 'm' | 'h' | 'd']),
  DNCR_API_KEY: optionalSecret,
  DNCR_BASE_URL: optionalUrl,
  // Sandbox only: comma-separated E.164 numbers the offline DNCR driver reports as registered.
  DNCR_SANDBOX_REGISTERED: z.string().optional(),
  // Signs unsubscribe tokens and callbacks; generated and kept under DATA_DIR when unset.
  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming every bad variable (never their values). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) input[key] = blankToUndefined(env[key]);
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

/** Keys whose values must never be printed. */
export const SECRET_KEYS: readonly string[] = Object.keys(schema.shape).filter((k) => /KEY|TOKEN|SECRET|PASSWORD|AUTH|DATABASE_URL|USERNAME/.test(k));
