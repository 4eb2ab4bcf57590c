// The layer rules (.dependency-cruiser.cjs) as `npm run lint` runs them: the real tree passes, and a
// small tree with deliberately wrong imports fails with exactly the expected rules.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

/** The dependency-cruiser half of `npm run lint`, as package.json has it. */
function lintCommand(): string[] {
  const lint: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.lint;
  const depcruise = lint
    .split('&&')
    .map((s) => s.trim())
    .find((s) => s.startsWith('depcruise '));
  if (!depcruise) throw new Error(`npm run lint does not run depcruise: ${lint}`);
  return depcruise.split(/\s+/).slice(1);
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs `cmd` in `cwd`: its exit code and output. */
async function exec(cmd: string, args: string[], cwd: string): Promise<{ exitCode: number; stdout: string }> {
  try {
    const { stdout } = await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { exitCode: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { exitCode: e.code, stdout: e.stdout ?? '' };
  }
}

/**
 * Runs the lint command in `cwd` as npm does (its exit code decides the lint), and the same with
 * JSON output for the violations it found (JSON output always exits 0).
 */
async function cruise(cwd: string): Promise<{ exitCode: number; violations: Violation[] }> {
  const bin = join(root, 'node_modules', '.bin', 'depcruise');
  const [lint, json] = await Promise.all([exec(bin, lintCommand(), cwd), exec(bin, [...lintCommand(), '--output-type', 'json'], cwd)]);
  return { exitCode: lint.exitCode, violations: JSON.parse(json.stdout).summary.violations };
}

describe('layer rules (npm run lint)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aos-layers-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function tree(files: Record<string, string>): void {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
    // Every top-level folder the lint command names must exist.
    for (const d of ['src', 'activities', 'workflows', 'temporal']) mkdirSync(join(dir, d), { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
  }

  const allowed = {
    'src/shared/channel.ts': `export type Channel = 'email' | 'sms';\n`,
    'src/db/client.ts': `import type { Channel } from '../shared/channel';\nexport const db = (c: Channel) => c;\n`,
    'src/integrations/postmark.ts': `import { db } from '../db/client';\nexport const send = () => db('email');\n`,
    'src/engines/outbound.ts': `import { send } from '../integrations/postmark';\nexport const touch = () => send();\n`,
    'src/shared/domain/channels.ts': `export const CHANNELS = ['email', 'sms'] as const;\n`,
    'workflows/definitions/sequence.ts': `import { CHANNELS } from '../../src/shared/domain/channels';\nexport interface SequenceInput { leadId: string }\nexport const channels = CHANNELS;\n`,
    'workflows/ids.ts': `export const sequenceId = (l: string) => 'sequence:' + l;\n`,
    'activities/sequence.ts':
      `import { touch } from '../src/engines/outbound';\nimport type { SequenceInput } from '../workflows/definitions/sequence';\n` +
      `import { sequenceId } from '../workflows/ids';\nexport const act = (i: SequenceInput) => [touch(), sequenceId(i.leadId)];\n`,
    'workflows/lead-sequence.ts':
      `import type { act } from '../activities/sequence';\nimport type { SequenceInput } from './definitions/sequence';\n` +
      `export async function leadSequenceWorkflow(i: SequenceInput): Promise<ReturnType<typeof act> | void> { void i; }\n`,
    'src/lifecycle/sequences.ts':
      `import type { leadSequenceWorkflow } from '../../workflows/lead-sequence';\nimport { sequenceId } from '../../workflows/ids';\n` +
      `export const start = (f: typeof leadSequenceWorkflow) => [f, sequenceId('l')];\n`,
    'src/api/routes.ts': `import { start } from '../lifecycle/sequences';\nimport { touch } from '../engines/outbound';\nexport const routes = [start, touch];\n`,
    'src/worker.ts': `import { act } from '../activities/sequence';\nexport const createWorker = () => act;\n`,
    'src/composition.ts': `import { createWorker } from './worker';\nimport { routes } from './api/routes';\nexport const compose = () => [createWorker(), routes];\n`,
    'src/main.ts': `import { compose } from './composition';\nexport const main = compose;\n`,
  };

  it('passes a tree whose imports all point downwards', async () => {
    tree(allowed);
    const r = await cruise(dir);
    expect(r.violations).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('fails on each deliberately wrong import, naming its rule', async () => {
    tree({
      ...allowed,
      // An engine reaching up into the API.
      'src/engines/wrong.ts': `import { routes } from '../api/routes';\nexport const wrong = routes;\n`,
      // The API running activity code.
      'src/api/wrong.ts': `import { act } from '../../activities/sequence';\nexport const wrong = act;\n`,
      // An activity importing a workflow file, even as a type.
      'activities/wrong.ts': `import type { leadSequenceWorkflow } from '../workflows/lead-sequence';\nexport type Wrong = typeof leadSequenceWorkflow;\n`,
      // A workflow importing activity code as a value, and the engines.
      'workflows/wrong.ts': `import { act } from '../activities/sequence';\nimport { touch } from '../src/engines/outbound';\nexport const wrong = [act, touch];\n`,
      // An integration importing an engine; two engines importing each other (reported once).
      'src/integrations/wrong.ts': `import { touch } from '../engines/outbound';\nexport const wrong = touch;\n`,
      'src/engines/a.ts': `import { b } from './b';\nexport const a = () => b;\n`,
      'src/engines/b.ts': `import { a } from './a';\nexport const b = () => a;\n`,
      // Shared domain code is bundled into workflows: no Node built-ins, nothing else from src.
      // Only the main entry point uses the composition root; only the composition root makes the worker.
      'src/cli/wrong.ts': `import { compose } from '../composition';\nimport { createWorker } from '../worker';\nexport const wrong = [compose, createWorker];\n`,
      'src/shared/domain/wrong.ts': `import { readFileSync } from 'node:fs';\nimport { db } from '../../db/client';\nexport const wrong = [readFileSync, db];\n`,
    });
    const r = await cruise(dir);
    expect(r.exitCode).not.toBe(0);
    const found = r.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
    expect(found).toEqual(
      [
        'engines-below-orchestration: src/engines/wrong.ts -> src/api/routes.ts',
        'api-not-activities: src/api/wrong.ts -> activities/sequence.ts',
        'activities-import-only-workflow-definitions: activities/wrong.ts -> workflows/lead-sequence.ts',
        'workflows-import-activities-as-types: workflows/wrong.ts -> activities/sequence.ts',
        'workflows-import-only-workflows: workflows/wrong.ts -> src/engines/outbound.ts',
        'integrations-below-engines: src/integrations/wrong.ts -> src/engines/outbound.ts',
        'no-circular: src/engines/a.ts -> src/engines/b.ts',
        'shared-domain-no-node-builtins: src/shared/domain/wrong.ts -> fs',
        'shared-domain-is-pure: src/shared/domain/wrong.ts -> src/db/client.ts',
        'shared-is-the-bottom: src/shared/domain/wrong.ts -> src/db/client.ts',
        'no-import-of-entry-points: src/cli/wrong.ts -> src/composition.ts',
        'worker-wired-by-composition: src/cli/wrong.ts -> src/worker.ts',
      ].sort(),
    );
  });

  it('finds no violation in the real tree', async () => {
    const r = await cruise(root);
    expect(r.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
    expect(r.exitCode).toBe(0);
  });
});
