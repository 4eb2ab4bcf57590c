// The compose stack must not publish the Temporal Web UI (no login of its own: anyone reaching it
// can list, signal or terminate every tenant's workflows) beyond the host's loopback by default.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface PortLong {
  target: number;
  published?: string | number;
  host_ip?: string;
}
interface Service {
  image?: string;
  ports?: Array<string | PortLong>;
}

const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

/** Compose's `${VAR:-default}` / `${VAR-default}` / `${VAR}` interpolation with an empty environment. */
function withDefaults(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
}

/** The host address a published port binds to ('' = every interface), per compose's short syntax. */
function hostIp(port: string | PortLong): string {
  if (typeof port !== 'string') return port.host_ip ?? '';
  const parts = withDefaults(port).split(':');
  // HOST_IP:HOST_PORT:CONTAINER_PORT has three parts; HOST_PORT:CONTAINER_PORT and CONTAINER_PORT bind everywhere.
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
}

describe('docker-compose.yml', () => {
  it('publishes the Temporal Web UI on 127.0.0.1 only by default', () => {
    const ui = compose.services['temporal-ui'];
    expect(ui).toBeDefined();
    expect(ui.ports?.length).toBeGreaterThan(0);
    for (const port of ui.ports ?? []) expect(hostIp(port)).toBe('127.0.0.1');
  });

  it('does not publish the Temporal frontend (gRPC) at all', () => {
    expect(compose.services.temporal.ports ?? []).toEqual([]);
  });

  it('keeps every image pinned to a version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.image || service.image.startsWith('agency-os:')) continue;
      expect([name, service.image]).toEqual([name, expect.stringMatching(/:[0-9][\w.-]*$/)]);
    }
  });
});
