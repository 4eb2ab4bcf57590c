// PostgreSQL text cannot hold NUL (U+0000): a string carrying one fails at the database with a 500.
// Requests whose JSON body or query string contains one are refused here with a clear 400, before any
// route stores or filters by it (bodies a route parses itself, such as CSV imports, use it too).
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

/** The path to the first string (or key) holding U+0000, or null. Iterative: deep JSON cannot overflow the stack. */
export function findNul(value: unknown, root: string): string[] | null {
  const stack: Array<[unknown, string[]]> = [[value, [root]]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, [...path, String(i)]]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes('\u0000')) return [...path, k];
        stack.push([item, [...path, k]]);
      }
    }
  }
  return null;
}

export const rejectNulCharacters: RequestHandler = (req, _res, next) => {
  const path = findNul(req.query, 'query') ?? findNul(req.body, 'body');
  if (path) {
    throw new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [
      { path: path.slice(1), code: 'invalid_string', message: 'must not contain NUL (\\u0000) characters' },
    ]);
  }
  next();
};
