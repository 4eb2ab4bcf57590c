// The outreach channels, defined once. Workflows import this file too (through
// workflows/definitions/channel.ts), so it stays pure: no imports, no Node APIs.

/** Every channel a touch can use, in the order the allocator and the API list them. */
export const CHANNELS = ['email', 'sms', 'linkedin', 'voice', 'mail'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

/**
 * The order campaign generation writes copy in, one channel per step. Replayed workflow histories
 * depend on it (campaignGenerationWorkflow loops over it), so it never changes.
 */
export const MESSAGING_ORDER = ['email', 'linkedin', 'sms', 'voice', 'mail'] as const satisfies readonly Channel[];
