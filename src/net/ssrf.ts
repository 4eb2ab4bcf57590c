// SSRF guard for every outbound request whose URL a client or user chose (crawled websites, skill-run
// callbacks): such a request may only reach public addresses, unless the operator allows private
// networks (tests, intranet demos).
//
// Checking a name and then letting `fetch` resolve it again is beaten by DNS rebinding (the second
// answer is 127.0.0.1), so the check happens where the socket is opened: an undici Agent whose
// connector resolves the name itself, refuses the connection if any answer is private, and checks the
// socket's remote address once connected. Every request and every redirect hop goes through it; the
// early check (`assertPublicHost`) only gives a clear error sooner.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { BlockList, isIP, type Socket } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit, type Response as UndiciResponse } from 'undici';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ['64:ff9b::', 96], // NAT64: reaches any IPv4 address, private ones included, through the gateway
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo: tunnels to an embedded IPv4 address
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: tunnels to an embedded IPv4 address
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

export class BlockedHostError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to a private or reserved address (${address}); not fetched`);
    this.name = 'BlockedHostError';
  }
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return true;
}

/** Resolves a host name to every address it has (injectable so tests can answer what DNS would). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

/** Throws BlockedHostError unless every address `hostname` resolves to is public. */
export async function assertPublicHost(hostname: string, resolve: Resolver = systemResolver): Promise<void> {
  const host = bareHost(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) throw new BlockedHostError(host, '127.0.0.1');
  const addresses = isIP(host) ? [{ address: host }] : await resolve(host);
  for (const { address } of addresses) if (isPrivateAddress(address)) throw new BlockedHostError(host, address);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `net.connect` lookup hook: resolves with `resolve` and refuses the name if any answer is private. */
function guardedLookup(resolve: Resolver) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        const bad = answers.find((a) => isPrivateAddress(a.address));
        if (bad) return callback(new BlockedHostError(hostname, bad.address), []);
        if (!wanted.length) {
          const err: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, []);
        }
        if (options.all)
          return callback(
            null,
            wanted.map((a) => ({ address: a.address, family: a.family })),
          );
        callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

/** An undici Agent that only ever connects to public addresses (checked at connect time). */
export function createGuardedAgent(resolve: Resolver = systemResolver): Agent {
  const connector = buildConnector({ lookup: guardedLookup(resolve) });
  return new Agent({
    connect(options, callback) {
      const host = bareHost(options.hostname);
      // An IP literal is never looked up, so it is checked here.
      if (isIP(host) && isPrivateAddress(host)) return callback(new BlockedHostError(host, host), null);
      connector(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        // The address actually connected to, whatever path led to it.
        const remote = (socket as Socket).remoteAddress;
        if (!remote || isPrivateAddress(remote)) {
          socket.destroy();
          return callback(new BlockedHostError(host, remote ?? 'unknown'), null);
        }
        callback(null, socket);
      });
    },
  });
}

export interface GuardedFetch {
  (url: string | URL, init?: UndiciRequestInit): Promise<UndiciResponse>;
  /** Closes the agent's pooled connections (kept alive between requests of one crawl). */
  close(): Promise<void>;
}

export interface GuardedFetchOptions {
  allowPrivateHosts: boolean;
  resolve?: Resolver;
}

/** The BlockedHostError behind a failed fetch (undici wraps connector errors in `TypeError: fetch failed`). */
export function blockedCause(err: unknown): BlockedHostError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof BlockedHostError) return e;
  return undefined;
}

/**
 * `fetch` for user-chosen URLs: http(s) only; a private target fails with BlockedHostError before
 * anything is sent, checked on each request (a redirect is a new request through the same agent).
 */
export function createGuardedFetch(opts: GuardedFetchOptions): GuardedFetch {
  const resolve = opts.resolve ?? systemResolver;
  const agent = opts.allowPrivateHosts ? undefined : createGuardedAgent(resolve);
  const guarded = async (input: string | URL, init: UndiciRequestInit = {}): Promise<UndiciResponse> => {
    const url = new URL(input.toString());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${url.protocol}`);
    if (!agent) return undiciFetch(url, init);
    await assertPublicHost(url.hostname, resolve);
    try {
      return await undiciFetch(url, { ...init, dispatcher: agent });
    } catch (err) {
      throw blockedCause(err) ?? err;
    }
  };
  return Object.assign(guarded, { close: async () => agent?.close() });
}
