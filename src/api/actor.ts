import type { Request } from 'express';

/** Who did it, for audit rows. */
export function actorOf(req: Request): { actorId: string | null; actorKeyId: string | null; requestId: string | null } {
  return { actorId: req.caller?.userId ?? null, actorKeyId: req.caller?.keyId ?? null, requestId: String(req.id ?? '') || null };
}
