// The registry mirror on these machines lacks some platform-specific optional packages (e.g.
// @swc/core-darwin-arm64), so `npm install` leaves them out of package-lock.json and `npm ci` then
// refuses the lock as out of sync. This adds a lock entry for each missing optional platform
// package, with its os/cpu taken from its name, so npm ci skips it on every other platform.
// Run after changing dependencies: node scripts/lockfile-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix', 'wasm32'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'];

let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const parentDir = key === '' ? '' : `${key}/`;
    if (lock.packages[`${parentDir}node_modules/${name}`] || lock.packages[`node_modules/${name}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = OS.find((o) => parts.includes(o));
    const cpu = CPU.find((c) => parts.includes(c) || parts.includes(c.replace('arm', 'arm')));
    if (!os && !cpu) continue; // not a platform package: leave it to npm
    const stub = { version: String(version).replace(/^[\^~]/, ''), dev: entry.dev, optional: true };
    if (os) stub.os = [os === 'wasm32' ? 'linux' : os];
    if (cpu) stub.cpu = [cpu];
    if (parts.includes('musl')) stub.libc = ['musl'];
    else if (parts.includes('gnu') || parts.includes('gnueabihf')) stub.libc = ['glibc'];
    if (!entry.dev) delete stub.dev;
    lock.packages[`node_modules/${name}`] = stub;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`lockfile-stubs: added ${added} missing optional platform entries`);
