// Cursor pagination over (createdAt, id): stable under inserts, opaque to callers.
import { z } from 'zod';
import { HttpError } from './errors';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export interface Cursor {
  createdAt: Date;
  id: string;
}

const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A cursor is ours only if it is exactly what encodeCursor writes: anything else (a forged year 0
 * that PostgreSQL cannot compare, an object, a number) is a 400, never a database error. */
export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined; // not JSON: refused below like any other malformed cursor
  }
  if (Array.isArray(decoded) && decoded.length === 2) {
    const [ts, id] = decoded as unknown[];
    if (typeof ts === 'string' && typeof id === 'string' && CURSOR_TIME.test(ts) && CURSOR_ID.test(id)) {
      const createdAt = new Date(ts);
      const year = createdAt.getUTCFullYear();
      if (!Number.isNaN(createdAt.getTime()) && year >= 1970 && year <= 9999) return { createdAt, id };
    }
  }
  throw new HttpError(400, 'VALIDATION_ERROR', 'cursor is invalid', [{ path: ['cursor'], code: 'invalid', message: 'cursor is invalid' }]);
}

export function encodeCursor(row: Cursor): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

/** Prisma `where` + `orderBy` for newest-first pages after the cursor. */
export function cursorWhere(cursor: Cursor | undefined) {
  if (!cursor) return {};
  return {
    OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
  };
}

export const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/** Fetch limit+1 rows; this trims them and says where the next page starts. */
export function page<T extends Cursor>(rows: T[], limit: number): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? encodeCursor(data[data.length - 1]) : null };
}
