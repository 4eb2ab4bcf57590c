// Test helper: every response a test receives can be checked against the OpenAPI document's zod
// response schemas (src/api/openapi/conformance.ts).
import type { Response } from 'supertest';
import { responseProblems } from '../../src/api/openapi/conformance';

export function expectConforms(method: string, path: string, res: Pick<Response, 'status' | 'body' | 'headers'>): void {
  const problems = responseProblems(method, path, { status: res.status, body: res.body, headers: res.headers as Record<string, string> });
  if (problems.length)
    throw new Error(`response does not match the OpenAPI document:\n  ${problems.join('\n  ')}\nbody: ${JSON.stringify(res.body).slice(0, 800)}`);
}
