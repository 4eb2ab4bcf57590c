// Checks a real response against its documented zod schema: the operation is found by method and
// URL path (concrete paths before templated ones, as OpenAPI matches), the response by status (else
// the documented default, the error shape). Tests run every response they get through this.
import type { ZodType } from 'zod';
import { allOperations } from './operations';
import { ErrorBody, type ApiOperation, type Method } from './spec';

interface Matcher {
  op: ApiOperation;
  regex: RegExp;
  names: string[];
  templated: number;
}

function compile(ops: readonly ApiOperation[]): Matcher[] {
  return ops
    .map((op) => {
      const names: string[] = [];
      const source = op.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { op, regex: new RegExp(`^${source}/?$`), names, templated: names.length };
    })
    .sort((a, b) => a.templated - b.templated);
}

const matchers = new Map<readonly ApiOperation[], Matcher[]>();

/** The documented operation a request hits, or undefined. Path parameters must satisfy the schema when one fits. */
export function findOperation(method: string, urlPath: string, ops: readonly ApiOperation[] = allOperations): ApiOperation | undefined {
  if (!matchers.has(ops)) matchers.set(ops, compile(ops));
  const path = urlPath.split('?')[0];
  const candidates = matchers.get(ops)!.filter((m) => m.op.method === method.toLowerCase() && m.regex.test(path));
  // Prefer the template whose path-parameter schema accepts the values (`/campaigns/{id}/leads` vs `/{action}`).
  const fitting = candidates.find((m) => {
    if (!m.op.params) return true;
    const values = Object.fromEntries(m.names.map((n, i) => [n, decodeURIComponent(m.regex.exec(path)![i + 1])]));
    return m.op.params.safeParse(values).success;
  });
  return (fitting ?? candidates[0])?.op;
}

export interface ResponseLike {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Problems with this response (empty when it conforms). */
export function responseProblems(method: Method | string, urlPath: string, res: ResponseLike): string[] {
  const op = findOperation(method, urlPath);
  if (!op) return [`${method.toUpperCase()} ${urlPath} is not in the OpenAPI document`];
  const type = String(res.headers['content-type'] ?? '');
  const documented = op.responses[res.status];
  if (!documented && res.status < 400) return [`${method.toUpperCase()} ${op.path} answered ${res.status}, which is not documented`];
  if (res.status === 204) return type ? [`204 with a body (${type})`] : [];
  const schema: ZodType | undefined = documented ? documented.schema : ErrorBody;
  if (!type.startsWith('application/json')) {
    const allowed = documented?.contentType;
    const types = allowed === undefined ? [] : typeof allowed === 'string' ? [allowed] : allowed;
    return types.some((t) => type.startsWith(t))
      ? []
      : [`${method.toUpperCase()} ${op.path} ${res.status}: content-type ${type || '(none)'} is not documented`];
  }
  if (!schema) return [`${method.toUpperCase()} ${op.path} ${res.status}: a JSON body where none is documented`];
  const parsed = schema.safeParse(res.body);
  if (parsed.success) return [];
  return parsed.error.issues.slice(0, 10).map((i) => `${method.toUpperCase()} ${op.path} ${res.status}: ${i.path.join('.') || '(body)'}: ${i.message}`);
}
