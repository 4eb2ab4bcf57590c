// A `catch {` without a binding swallows whatever was thrown. Each one must say, in a comment on its
// first line (or the line after it), which error it expects and why ignoring it is safe; several used to turn a Temporal
// outage into "no live state". A catch that handles a named error binds it instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'generated' || name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

/** `file:line` of each bare catch whose block does not open with a comment. */
export function unexplainedCatches(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/\bcatch\s*\{/.test(line)) return;
      const sameLine = /catch\s*\{\s*(\/\/|\/\*)/.test(line);
      const next = (lines[i + 1] ?? '').trim();
      if (!sameLine && !next.includes('//') && !next.startsWith('/*')) found.push(`${relative(root, file)}:${i + 1}`);
    });
  }
  return found;
}

describe('bare catch blocks', () => {
  it('each says which error it expects and why ignoring it is safe', () => {
    const files = ['src', 'activities', 'workflows', 'temporal', 'scripts'].flatMap((d) => sources(join(root, d)));
    expect(files.length).toBeGreaterThan(100);
    expect(unexplainedCatches(files)).toEqual([]);
  });

  it('notices one that does not', () => {
    const dir = join(__dirname, '..', 'fixtures', 'lint');
    expect(unexplainedCatches([join(dir, 'bare-catch.ts')]).map((l) => l.split(':').pop())).toEqual(['10']);
  });
});
