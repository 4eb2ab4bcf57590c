// Admin runs (self-test, reply recovery) answer 202 with a status URL; tests that need the outcome
// poll it until the run is no longer running.
import type { Express } from 'express';
import request from 'supertest';
import { expectConforms } from '../api/conformance';

export interface RunStatus<R = unknown> {
  status: 'running' | 'completed' | 'failed';
  workflowId: string;
  result?: R;
  reason?: string;
  durationMs?: number;
  [id: string]: unknown;
}

/** Polls `statusUrl` (each answer checked against the OpenAPI document) until the run has ended. */
export async function awaitAdminRun<R = unknown>(app: Express, key: string, statusUrl: string, timeoutMs = 60_000): Promise<RunStatus<R>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(app).get(statusUrl).set('Authorization', `Bearer ${key}`);
    expectConforms('get', statusUrl, res);
    if (res.status !== 200) throw new Error(`GET ${statusUrl}: ${res.status} ${JSON.stringify(res.body)}`);
    const body = res.body as RunStatus<R>;
    if (body.status !== 'running') return body;
    if (Date.now() > deadline) throw new Error(`${statusUrl} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts an admin run (202) and waits for its outcome. */
export async function runAdminWorkflow<R = unknown>(app: Express, key: string, path: string, body: Record<string, unknown> = {}): Promise<RunStatus<R>> {
  const started = await request(app).post(path).set('Authorization', `Bearer ${key}`).send(body);
  expectConforms('post', path, started);
  if (started.status !== 202) throw new Error(`POST ${path}: ${started.status} ${JSON.stringify(started.body)}`);
  return awaitAdminRun<R>(app, key, started.body.statusUrl);
}
