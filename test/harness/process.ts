// Runs `src/main.ts` as a child process, the way `npm start` does, and watches its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch, type RequestInit } from 'undici';

export const ROOT = join(__dirname, '..', '..');

export interface MainProcess {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export function startMain(env: Record<string, string>, opts: { args?: string[]; cwd?: string } = {}): MainProcess {
  // As `npm start` runs it: one node process with tsx's loader (or the given arguments, e.g. a
  // compiled entry point). Only PATH and HOME from the parent: the child must work from the given
  // variables alone.
  const child = spawn(process.execPath, opts.args ?? ['--import', 'tsx', 'src/main.ts'], {
    cwd: opts.cwd ?? ROOT,
    // The worker's metrics and health ports have fixed defaults (9464, 3001) that processes of other
    // test files would share: off unless a test asks for them.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0', WORKER_HEALTH_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 90_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          const m = out.match(pattern);
          if (m) return resolve(m);
          if (child.exitCode !== null) return reject(new Error(`main exited (${child.exitCode}):\n${out}`));
          if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${pattern}:\n${out}`));
          setTimeout(tick, 100);
        };
        tick();
      }),
  };
}

/** Resolves once `url` answers 200, or rejects when `main` exits first or the time is up. */
export async function waitForHttp(main: MainProcess, url: string, timeoutMs = 90_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (main.child.exitCode !== null) throw new Error(`process exited (${main.child.exitCode}) before ${url} answered:\n${main.output()}`);
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    ); // 0: connection refused, not listening yet
    if (status === 200) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${url} (last status ${status}):\n${main.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Resolves once a worker of process `main` polls `taskQueue` for workflow tasks (the SDK's default
 * identity is `<pid>@<hostname>`): the worker is registered with Temporal and taking work.
 */
export async function waitForWorkerPolling(main: MainProcess, temporalAddress: string, taskQueue: string, timeoutMs = 120_000): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const { temporal } = await import('@temporalio/proto');
  const { hostname } = await import('node:os');
  const identity = `${main.child.pid}@${hostname()}`;
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const started = Date.now();
    for (;;) {
      if (main.child.exitCode !== null) throw new Error(`worker exited (${main.child.exitCode}) before polling:\n${main.output()}`);
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((pollers ?? []).some((p) => p.identity === identity)) return;
      if (Date.now() - started > timeoutMs) throw new Error(`worker ${identity} never polled ${taskQueue}:\n${main.output()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await connection.close();
  }
}

// Process tests block their event loop with spawnSync (the CLI) between requests, so a pooled
// keep-alive connection can be closed by the server without the pool noticing, and the next request
// fails with "other side closed". Requests to the child processes get a connection each.
const unpooled = new Agent({ pipelining: 0 });
export const fetchFresh = (url: string, init: RequestInit = {}) => undiciFetch(url, { ...init, dispatcher: unpooled });

/** POST /admin/self-test on a running service (`origin`: http://host:port), then its status URL until
 * the run has ended: the start's status and the outcome's body. */
export async function selfTestOverHttp(
  origin: string,
  key: string | undefined,
  timeoutMs = 60_000,
): Promise<{ started: number; outcome: Record<string, unknown> }> {
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  const start = await fetchFresh(`${origin}/api/v1/admin/self-test`, { method: 'POST', headers });
  const body = (await start.json()) as { statusUrl?: string };
  if (start.status !== 202 || !body.statusUrl) return { started: start.status, outcome: body };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = (await (await fetchFresh(`${origin}${body.statusUrl}`, { headers })).json()) as Record<string, unknown>;
    if (outcome.status !== 'running' || Date.now() > deadline) return { started: start.status, outcome };
    await new Promise((r) => setTimeout(r, 200));
  }
}
