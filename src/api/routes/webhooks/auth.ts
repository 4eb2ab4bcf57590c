// Webhook credentials compared in constant time: both sides are hashed to equal-length SHA-256
// digests first, so neither the content nor the length of the secret leaks through timing. The
// configured side is hashed once, when the route is built.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** A configured secret, kept as its digest. */
export class Secret {
  private readonly expected: Buffer;

  constructor(value: string) {
    this.expected = digest(value);
  }

  matches(given: string | undefined | null): boolean {
    if (typeof given !== 'string') return false;
    return timingSafeEqual(digest(given), this.expected);
  }
}

/** The header the shared secret travels in (already redacted from request logs). */
export const SECRET_HEADER = 'x-webhook-secret';

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** `Authorization: Basic …` decoded (`user:password`), or null when absent or not `user:password`. */
export function basicCredentials(req: Request): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header(req, 'authorization') ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  return decoded.includes(':') ? decoded : null;
}

export type SecretCheck = 'ok' | 'missing' | 'wrong';

/** The shared secret from `X-Webhook-Secret` or `Authorization: Bearer …`. */
export function checkSharedSecret(req: Request, secret: Secret): SecretCheck {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '')?.[1];
  const given = header(req, SECRET_HEADER) ?? bearer;
  if (given === undefined || given === '') return 'missing';
  return secret.matches(given) ? 'ok' : 'wrong';
}

export interface PostmarkCredentials {
  /** The configured Basic pair as one `user:password` secret: one comparison, no early exit that
   * tells a right user from a right password. */
  basic?: Secret;
  secret?: Secret;
}

/** The Basic pair as `checkPostmark` compares it (the form the Authorization header decodes to). */
export const basicSecret = (user: string, password: string) => new Secret(`${user}:${password}`);

/** Postmark: Basic credentials (when configured) or the shared-secret header (when configured). */
export function checkPostmark(req: Request, creds: PostmarkCredentials): SecretCheck {
  const basic = basicCredentials(req);
  const secretHeader = header(req, SECRET_HEADER);
  if (!basic && secretHeader === undefined) return 'missing';
  if (basic && creds.basic?.matches(basic)) return 'ok';
  if (secretHeader !== undefined && creds.secret?.matches(secretHeader)) return 'ok';
  return 'wrong';
}
