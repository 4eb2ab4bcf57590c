// What every provider webhook route shares in the API document: the "stored" answer, the body as
// documented (each provider's own parser validates it), and the note on credentials and limits.
import { z } from 'zod';

export const accepted = z.object({ received: z.literal(true), id: z.string(), duplicate: z.boolean() });
export const notStored = z.object({ received: z.literal(true), stored: z.literal(false) });
export const payload = z.record(z.string(), z.unknown());
export const AUTH_FIRST =
  'Credentials are checked before the body is parsed. Past WEBHOOK_AUTH_FAILURES_PER_IP failed authentications a minute, an address gets 429 with Retry-After (good credentials are never limited).';
