// zod parsing of request parts; a ZodError becomes a 400 with the issues (see errors.ts).
import type { Request } from 'express';
import { z } from 'zod';

export const uuid = z.string().uuid('must be a UUID');

export const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

/** Prisma's `contains` is a LIKE pattern and does not escape it: `%` and `_` in a search must match
 * themselves, not any text. (Backslash is PostgreSQL's default LIKE escape.) */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Earliest and latest instants a query may name: PostgreSQL and JavaScript agree on these years. */
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;
const inRange = (s: string) => {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(t)) return false;
  const year = new Date(t).getUTCFullYear();
  return year >= MIN_YEAR && year <= MAX_YEAR;
};

/** A day (YYYY-MM-DD) or an ISO 8601 instant with offset, between 1970 and 9999. */
export const dayOrInstant = z.iso
  .date()
  .or(z.iso.datetime({ offset: true }))
  .refine(inRange, `must be a date between ${MIN_YEAR} and ${MAX_YEAR}`);

export function body<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  return schema.parse(req.body ?? {});
}
