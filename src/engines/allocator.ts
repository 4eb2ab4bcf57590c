// Allocator: which channels a lead's ALS tier allows, and which send resource (sending domain, phone
// number, LinkedIn seat) carries the next touch. Pure: the caller passes today's counters.
import type { Channel } from '../shared/domain/channels';
import type { AlsTier } from './scorer';

export { CHANNELS, type Channel } from '../shared/domain/channels';

// Hotter leads justify costlier, more personal channels; dead leads are not contacted at all.
const CHANNELS_BY_TIER: Readonly<Record<AlsTier, readonly Channel[]>> = {
  hot: Object.freeze(['email', 'sms', 'linkedin', 'voice', 'mail'] as const),
  warm: Object.freeze(['email', 'linkedin', 'voice'] as const),
  cool: Object.freeze(['email', 'linkedin'] as const),
  cold: Object.freeze(['email'] as const),
  dead: Object.freeze([] as const),
};

/** Channels a tier may use, in the order above (a frozen array: do not mutate). */
export function channelsForTier(tier: AlsTier): readonly Channel[] {
  const channels = CHANNELS_BY_TIER[tier];
  if (!channels) throw new RangeError(`unknown ALS tier: ${String(tier)}`);
  return channels;
}

export function isChannelAllowed(tier: AlsTier, channel: Channel): boolean {
  return channelsForTier(tier).includes(channel);
}

/** Channels whose resources have a daily cap; direct mail is paid per piece and capped by credits. */
export type RateLimitedChannel = Exclude<Channel, 'mail'>;

/**
 * Per-resource daily caps: email per sending domain (deliverability), SMS per number (carrier
 * filtering), LinkedIn per seat (account restrictions), voice per number (spam labelling).
 * New resources start with these; a resource's own `dailyLimit` is what `pickResource` enforces.
 */
export const DEFAULT_DAILY_LIMITS: Readonly<Record<RateLimitedChannel, number>> = Object.freeze({
  email: 50,
  sms: 100,
  linkedin: 17,
  voice: 50,
});

/** The default cap for a channel, or null when the channel has none (mail). */
export function defaultDailyLimit(channel: Channel): number | null {
  return channel === 'mail' ? null : DEFAULT_DAILY_LIMITS[channel];
}

export interface SendResourceState {
  id: string;
  channel: Channel;
  /** Sending domain, phone number, LinkedIn seat id or voice number. */
  identifier: string;
  dailyLimit: number;
  /** Sends counted today (the resource's local day). */
  usedToday: number;
  active: boolean;
}

/**
 * Sends left today; never negative (a counter may exceed a limit lowered during the day), and 0 for
 * corrupt numbers (NaN, infinities) so a bad row can never look like unlimited capacity.
 */
export function remainingCapacity(resource: SendResourceState): number {
  const left = Math.floor(resource.dailyLimit) - Math.floor(resource.usedToday);
  return Number.isFinite(left) && left > 0 ? left : 0;
}

/**
 * The active resource of `channel` with the most capacity left, spreading load evenly across
 * domains/numbers/seats. Ties go to the smallest identifier (then id), compared by code unit so the
 * choice never depends on locale. Null when every resource is full, inactive or of another channel:
 * the touch then waits for the next window.
 */
export function pickResource<R extends SendResourceState>(resources: readonly R[], channel: Channel): R | null {
  let best: R | null = null;
  let bestLeft = 0;
  for (const r of resources) {
    if (r.channel !== channel || !r.active) continue;
    const left = remainingCapacity(r);
    if (left <= 0) continue;
    if (best === null || left > bestLeft || (left === bestLeft && compareTie(r, best) < 0)) {
      best = r;
      bestLeft = left;
    }
  }
  return best;
}

function compareTie(a: SendResourceState, b: SendResourceState): number {
  return cmp(a.identifier, b.identifier) || cmp(a.id, b.id);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
