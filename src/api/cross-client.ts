// Lists that span the caller's clients (runs, outputs, feedback): which clients a request covers
// (the one it names, checked like any client route, or every live client the caller can see) and,
// for dated lists, the window it asks for.
import type { Request } from 'express';
import type { Db } from '../db/client';
import { HttpError } from './errors';
import { authorizeClientRole } from './route-table';
import { requireLiveClientId, visibleClientIds } from './tenancy';

const DAY_MS = 86_400_000;

/** `2026-12-01` is that UTC day (its end, for an upper bound); anything else is an instant. */
export const toDate = (v: string, endOfDay: boolean) =>
  /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(Date.parse(`${v}T00:00:00Z`) + (endOfDay ? DAY_MS : 0)) : new Date(v);

/** The named client (404 unless the caller may view it and it is live), else every one the caller sees. */
export async function listedClients(req: Request, db: Db, clientId: string | undefined): Promise<{ in: string[] } | { notIn: string[] }> {
  if (!clientId) return visibleClientIds(db, req.caller!);
  authorizeClientRole(req, clientId, 'viewer');
  await requireLiveClientId(db, clientId);
  return { in: [clientId] };
}

/** The `from`/`to` window of a query; 400 when it is empty. */
export function dateWindow(q: { from?: string; to?: string }): { from?: Date; to?: Date } {
  const from = q.from ? toDate(q.from, false) : undefined;
  const to = q.to ? toDate(q.to, true) : undefined;
  if (from && to && from >= to)
    throw new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [{ path: ['from'], code: 'invalid_range', message: 'from must be before to' }]);
  return { from, to };
}
