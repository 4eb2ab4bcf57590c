// The inbox payload of a one-click unsubscribe (provider `unsubscribe`): what the verified token said.
import { z } from 'zod';

export const UnsubscribeEventSchema = z.object({
  clientId: z.string().min(1),
  leadId: z.string().min(1),
  campaignId: z.string().min(1).optional(),
  channel: z.literal('email'),
  /** `one_click` (RFC 8058 POST from a mail client) or `page` (the confirmation form). */
  source: z.enum(['one_click', 'page']),
});
export type UnsubscribeEvent = z.infer<typeof UnsubscribeEventSchema>;
