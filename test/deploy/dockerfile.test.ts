// Docker is not available where the tests run, so the Dockerfile is checked by reading it: stages,
// pinned LTS base images, production dependencies only, an init process, a non-root user, and a
// build stage that receives every input `npm run build` needs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/process';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name?: string;
  steps: Instruction[];
}

/** Instructions (continuation lines joined, comments dropped), grouped by FROM. */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!op) throw new Error(`unparsable line: ${line}`);
    if (op.toUpperCase() === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image, ...(as?.toUpperCase() === 'AS' ? { name } : {}), steps: [] });
    } else {
      stages.at(-1)!.steps.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const stageNamed = (name: string) => stages.find((s) => s.name === name);
const steps = (stage: Stage, op: string) => stage.steps.filter((s) => s.op === op).map((s) => s.args);
/** `COPY --from=<stage> <src> <dest>` of a stage, as [from, src, dest]. */
const copiesFrom = (stage: Stage) =>
  steps(stage, 'COPY')
    .map((a) => /^--from=(\S+)\s+(\S+)\s+(\S+)$/.exec(a))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2], m[3]] as const);

describe('Dockerfile', () => {
  it('is multi-stage on a pinned current LTS Node image (22 or 24)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      const m = /^node:(\d+)\.\d+\.\d+-[a-z]+-slim$/.exec(s.image);
      expect([s.image, m !== null]).toEqual([s.image, true]);
      expect(['22', '24']).toContain(m![1]);
    }
  });

  it('runs the compiled service with node under an init process, as a non-root user', () => {
    expect(steps(runtime, 'CMD')).toEqual(['["node", "dist/src/main.js"]']);
    const entry = steps(runtime, 'ENTRYPOINT').map((e) => JSON.parse(e) as string[]);
    expect(entry).toHaveLength(1);
    expect(entry[0][0]).toMatch(/(^|\/)tini$/);
    expect(steps(runtime, 'RUN').join(' ')).toMatch(/apt-get install [^&]*\btini\b/);
    const users = steps(runtime, 'USER');
    expect(users.at(-1)).toBe('node');
    expect(runtime.steps.map((s) => s.args).join('\n')).not.toMatch(/\btsx\b/);
    expect(steps(runtime, 'ENV').join(' ')).toContain('NODE_ENV=production');
  });

  it('takes node_modules from a stage that installed production dependencies only', () => {
    const nodeModules = copiesFrom(runtime).filter(([, src]) => src.endsWith('node_modules'));
    expect(nodeModules).toHaveLength(1);
    const deps = stageNamed(nodeModules[0][0])!;
    const install = steps(deps, 'RUN').find((r) => r.includes('npm ci'));
    expect(install).toMatch(/--omit=dev/);
    // Nothing else brings development packages in: no plain COPY of node_modules or the checkout.
    for (const copy of steps(runtime, 'COPY').filter((c) => !c.startsWith('--from='))) {
      expect(copy.split(/\s+/).slice(0, -1)).not.toContain('.');
      expect(copy).not.toContain('node_modules');
    }
  });

  it('builds dist/ in a stage that receives every input of npm run build, and ships only dist/', () => {
    const dist = copiesFrom(runtime).filter(([, src]) => /\/dist\/?$/.test(src));
    expect(dist).toHaveLength(1);
    const build = stageNamed(dist[0][0])!;
    expect(steps(build, 'RUN')).toContain('npm run build');
    const copied = new Set(steps(build, 'COPY').flatMap((c) => c.split(/\s+/).slice(0, -1)));
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { include: string[] };
    const inputs = [
      ...tsconfig.include,
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts',
      'prisma',
      'skills',
      'playbooks',
      'package.json',
      'package-lock.json',
    ];
    for (const input of inputs) expect([input, copied.has(input)]).toEqual([input, true]);
    for (const input of copied) expect([input, existsSync(join(ROOT, input))]).toEqual([input, true]);
    // The build context must not leave those inputs out.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim());
    for (const input of inputs) expect(ignored).not.toContain(input);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data']));
  });
});
