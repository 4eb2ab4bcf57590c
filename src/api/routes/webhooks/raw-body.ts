// The request body's bytes as received, for webhooks signed over the raw body (Cal.com, Calendly):
// the JSON parser for /webhooks keeps them (the same buffer it parses, so no copy) beside the request.
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { HttpError } from '../../errors';

const rawBodies = new WeakMap<object, Buffer>();

/** `verify` option of express.json(). */
export function keepRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  rawBodies.set(req, buf);
}

/** The raw JSON body; a request that was not JSON is 415 (a signature over nothing proves nothing). */
export function rawBodyOf(req: Request): Buffer {
  const raw = rawBodies.get(req);
  if (!raw) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'expected an application/json body');
  return raw;
}
