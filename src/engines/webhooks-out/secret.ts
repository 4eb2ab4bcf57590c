// Endpoint signing secrets. A Standard Webhooks secret (`whsec_` + base64 of 24 random bytes) is shown
// to the client once, at creation or rotation. It is stored encrypted rather than hashed because every
// delivery has to sign with the secret itself; the key is derived from SIGNING_SECRET (HKDF-SHA256),
// so a copy of the database alone does not let anyone forge deliveries to the client's systems.
// AES-256-GCM authenticates the ciphertext: a tampered or wrongly keyed value fails to decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';
const VERSION = 'v1';

export function generateEndpointSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

function keyFrom(signingSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', signingSecret, 'agency-os', 'webhook-endpoint-secret', 32));
}

/** `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
export function encryptSecret(secret: string, signingSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(signingSecret), iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decryptSecret(stored: string, signingSecret: string): string {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== VERSION || !iv || !tag || !ciphertext) throw new Error('unreadable endpoint secret');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(signingSecret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
