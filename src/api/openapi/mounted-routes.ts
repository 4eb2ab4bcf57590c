// Lists every route an Express 5 app serves, by walking its router stack (mount paths are kept on
// each layer as `rawPath` by router 2.x). Used to prove the OpenAPI document covers the whole API.
import type { Express } from 'express';

export interface MountedRoute {
  method: string;
  /** In OpenAPI form: /api/v1/clients/{clientId}/campaigns */
  path: string;
}

// The parts of router 2.x's Layer/Route this reads (not in @types/express).
interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

const join = (a: string, b: string) => `${a}/${b}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
const toOpenApi = (p: string) => p.replace(/:(\w+)/g, '{$1}');

function walk(stack: LayerLike[], prefix: string, out: MountedRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) {
        if (typeof p !== 'string') continue;
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method, path: toOpenApi(join(prefix, p)) });
        }
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
      walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

export function mountedRoutes(app: Express): MountedRoute[] {
  // Express 5 exposes its root router as `app.router` (not typed by @types/express 5.0).
  const root = (app as unknown as { router: { stack: LayerLike[] } }).router;
  const out: MountedRoute[] = [];
  walk(root.stack, '', out);
  const seen = new Set<string>();
  return out.filter((r) => {
    const k = `${r.method} ${r.path}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
