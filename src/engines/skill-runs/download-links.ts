// Signed, expiring download links for outputs: `GET /api/v1/outputs/<id>/download?format=…&exp=…&sig=…`
// needs no API key, so a link can be handed to a client or opened in a browser, and stops working at
// `exp`. sig = base64url(HMAC-SHA256(SIGNING_SECRET, "output-download:v1:<outputId>:<format>:<exp>")):
// the id, the format and the expiry are all covered, so none can be changed without the secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const OUTPUT_FORMATS = ['md', 'docx'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface DownloadLink {
  outputId: string;
  format: OutputFormat;
  /** Epoch seconds after which the link is refused. */
  exp: number;
}

const SIGNATURE_BYTES = 32;

function mac(link: DownloadLink, secret: string): Buffer {
  // An empty secret would make every link forgeable: a configuration error.
  if (!secret) throw new TypeError('a signing secret is required');
  return createHmac('sha256', secret).update(`output-download:v1:${link.outputId}:${link.format}:${link.exp}`).digest();
}

export function signDownloadLink(link: DownloadLink, secret: string): string {
  return mac(link, secret).toString('base64url');
}

export type LinkCheck = { ok: true } | { ok: false; reason: 'bad_signature' | 'expired' };

/** The signature first (a forged link learns nothing about expiry), then the expiry. */
export function verifyDownloadLink(link: DownloadLink, sig: string, secret: string, now: Date = new Date()): LinkCheck {
  const given = /^[A-Za-z0-9_-]+$/.test(sig) ? Buffer.from(sig, 'base64url') : Buffer.alloc(0);
  if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, mac(link, secret))) return { ok: false, reason: 'bad_signature' };
  if (Math.floor(now.getTime() / 1000) > link.exp) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** The path and query of a link (the caller puts PUBLIC_URL or the request's origin in front). */
export function downloadLinkPath(link: DownloadLink, secret: string): string {
  const q = new URLSearchParams({ format: link.format, exp: String(link.exp), sig: signDownloadLink(link, secret) });
  return `/api/v1/outputs/${encodeURIComponent(link.outputId)}/download?${q.toString()}`;
}
