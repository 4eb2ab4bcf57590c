// Serves test/fixtures/site (a small agency website) on 127.0.0.1, recording every request, with
// optional extra routes (huge pages, slow pages, redirects) for the limit tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { join, normalize } from 'node:path';

export const SITE_DIR = join(__dirname, '..', '..', 'fixtures', 'site');

export interface TestSite {
  url: string;
  /** Paths requested, in order (query strings included). */
  requests: string[];
  close(): Promise<void>;
}

export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', txt: 'text/plain', pdf: 'application/pdf' };

export async function startTestSite(extra: ExtraRoute[] = []): Promise<TestSite> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    for (const route of extra) if (route(req, res)) return;
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(SITE_DIR, path));
    if (!file.startsWith(SITE_DIR)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
      return;
    }
    const ext = file.split('.').pop() ?? '';
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
