// Request ids and one access-log line per request. Everything is built when the line is written,
// not when the request arrives (pino-http serialises a child logger per request up front, which
// cost a webhook burst about a sixth of its CPU even with logging off). Lines keep pino-http's
// shape (`req`, `res`, `responseTime`), so the logger's redaction paths still apply to headers.
// The URL is logged with its token-bearing parts redacted (redactRequestUrl).
import { randomUUID } from 'node:crypto';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { redactRequestUrl } from '../logger';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: the caller's `X-Request-Id` when well-formed, else a new UUID. */
    id: string;
    /** A logger bound to this request's id (made on first use). */
    log: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const LOGGER = Symbol('requestLogger');

type Level = 'info' | 'warn' | 'error';

function levelOf(status: number): Level {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

function requestFields(req: Request) {
  const { referer } = req.headers;
  return {
    id: req.id,
    method: req.method,
    // Token-bearing paths and query parameters (`/u/<token>`, `?token=`) redacted, in the Referer too
    // (the unsubscribe page posts back to its own URL); header secrets go by the logger's paths.
    url: redactRequestUrl(req.originalUrl),
    headers: referer ? { ...req.headers, referer: redactRequestUrl(referer) } : req.headers,
    remoteAddress: req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * Installs `req.id`, `X-Request-Id`, a lazy `req.log` and the access log on `app`.
 * `quiet(req)`: requests not worth a line (health probes).
 */
export function requestLog(app: Express, logger: Logger, quiet: (req: Request) => boolean = () => false): RequestHandler {
  // On the app's request prototype: a request that never logs never pays for a child logger.
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request & { [LOGGER]?: Logger }) {
      return (this[LOGGER] ??= logger.child({ reqId: this.id }));
    },
  });
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    if (quiet(req)) return next();
    const started = performance.now();
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      logCompleted(logger, req, res, started);
    };
    res.once('finish', finished);
    res.once('close', finished);
    next();
  };
}

function logCompleted(logger: Logger, req: Request, res: Response, started: number): void {
  const level = levelOf(res.writableFinished ? res.statusCode : 499);
  if (!logger.isLevelEnabled(level)) return;
  const responseTime = Math.round(performance.now() - started);
  const fields = { req: requestFields(req), res: { statusCode: res.statusCode, headers: res.getHeaders() }, responseTime };
  logger[level](fields, res.writableFinished ? 'request completed' : 'request aborted');
}
