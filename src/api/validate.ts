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

export function body<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  return schema.parse(req.body ?? {});
}

export function query<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  return schema.parse(req.query ?? {});
}

export function params<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  return schema.parse(req.params ?? {});
}
