// A recording fake HTTP server on 127.0.0.1 for driving real provider SDKs / fetch clients in tests.
// Routes answer like the provider would; every request is recorded; failures can be injected.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/email`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON or form body parsed (form fields become strings, repeated fields arrays); else the raw text. */
  body: unknown;
  /** Route parameters captured by `:name` segments of the matched route. */
  params: Record<string, string>;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

export interface Route {
  method: string;
  /** `/2010-04-01/Accounts/:sid/Messages.json` style; `:name` matches one path segment. */
  path: string;
  handler: RouteHandler;
}

export type RequestMatcher = (req: RecordedRequest) => boolean;

export interface HttpFake {
  /** Base URL, e.g. `http://127.0.0.1:43121` (no trailing slash). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The next `times` requests (matching `where`, if given) get this status and body instead. */
  failNext(status: number, body?: unknown, times?: number, where?: RequestMatcher): void;
  /** The next `times` requests (matching `where`) have their connection destroyed: a network error. */
  dropNext(times?: number, where?: RequestMatcher): void;
  /** Forgets pending failures only (an outage that ends after a while rather than after N requests). */
  clearFailures(): void;
  /** Forgets recorded requests and pending failures (provider fakes also clear what they stored). */
  reset(): void;
  /**
   * A slow provider: every request is recorded at once but handled (and answered) this many ms
   * later, even when its client has gone meanwhile, as a real provider would have taken it.
   */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

interface Injection {
  remaining: number;
  where?: RequestMatcher;
  act: { kind: 'fail'; status: number; body: unknown } | { kind: 'drop' };
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }
  return raw;
}

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[i]);
    else if (w.toLowerCase() !== got[i].toLowerCase()) return null;
  }
  return params;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: FakeResponse): void {
  const status = r.status ?? 200;
  const headers: Record<string, string> = { ...r.headers };
  let payload = '';
  if (r.body !== undefined) {
    payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    headers['content-type'] ??= typeof r.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8';
  }
  res.writeHead(status, headers);
  res.end(payload);
}

export async function startFake(routes: Route[]): Promise<HttpFake> {
  const requests: RecordedRequest[] = [];
  let injections: Injection[] = [];
  const sockets = new Set<Socket>();
  let latencyMs = 0;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = await readAll(req);
      const recorded: RecordedRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        body: parseBody(rawBody, req.headers['content-type']),
        params: {},
      };
      requests.push(recorded);
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));

      const injection = injections.find((i) => i.remaining > 0 && (!i.where || i.where(recorded)));
      if (injection) {
        injection.remaining--;
        injections = injections.filter((i) => i.remaining > 0);
        if (injection.act.kind === 'drop') {
          req.socket.destroy();
          return;
        }
        send(res, { status: injection.act.status, body: injection.act.body });
        return;
      }

      for (const route of routes) {
        if (route.method.toUpperCase() !== recorded.method) continue;
        const params = matchPath(route.path, recorded.path);
        if (!params) continue;
        recorded.params = params;
        send(res, await route.handler(recorded));
        return;
      }
      send(res, { status: 404, body: { error: `fake: no route for ${recorded.method} ${recorded.path}` } });
    })().catch((err: unknown) => {
      send(res, { status: 500, body: { error: `fake handler crashed: ${String(err)}` } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setLatency(ms) {
      latencyMs = ms;
    },
    failNext(status, body = { error: 'injected failure' }, times = 1, where) {
      injections.push({ remaining: times, where, act: { kind: 'fail', status, body } });
    },
    dropNext(times = 1, where) {
      injections.push({ remaining: times, where, act: { kind: 'drop' } });
    },
    clearFailures() {
      injections = [];
    },
    reset() {
      requests.length = 0;
      injections = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets (axios, undici) would hold close() open.
        for (const s of sockets) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** `Basic base64(user:pass)` → [user, pass], or null. */
export function basicAuth(headers: IncomingHttpHeaders): [string, string] | null {
  const h = headers.authorization;
  if (!h?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : [decoded.slice(0, i), decoded.slice(i + 1)];
}
