// Opt-in diagnostic (JEST_LEAK_REPORT=<file>): after each test file's teardown, lists the Node
// resources (sockets, timers, servers, child processes…) that are open now but were not before the
// file ran, one line per file. A file that stops everything it started prints `{}`. Used to look for
// the handles that would keep a jest worker alive without `forceExit`.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

const SETTLE_MS = 300;

function counts(resources: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of resources) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

export default class LeakReportEnvironment extends TestEnvironment {
  private readonly file: string;
  private before = new Map<string, number>();

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.file = relative(config.globalConfig.rootDir, context.testPath);
  }

  override async setup(): Promise<void> {
    // Node opens stdout's and stderr's pipes on first use: open them now, so the first file of each
    // jest worker is not blamed for them.
    void process.stdout.writableLength;
    void process.stderr.writableLength;
    this.before = counts(process.getActiveResourcesInfo());
    await super.setup();
  }

  override async teardown(): Promise<void> {
    await super.teardown();
    const out = process.env.JEST_LEAK_REPORT;
    if (!out) return;
    // Sockets and servers close on the next turns of the event loop.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const left: Record<string, number> = {};
    for (const [kind, n] of counts(process.getActiveResourcesInfo())) {
      const extra = n - (this.before.get(kind) ?? 0);
      if (extra > 0) left[kind] = extra;
    }
    appendFileSync(out, `${this.file} ${JSON.stringify(left)}\n`);
  }
}
