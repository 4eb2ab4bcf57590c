// The plans a client can be on (clients.tier), as data: what a touch costs per channel, the credits
// granted each month, the channels a campaign may use, how many campaigns may run at once and the
// default daily AI budget. Everything that enforces a plan reads it from here.
import type { ClientTier } from '../db/client';
import { CHANNELS, type Channel } from '../shared/domain/channels';

export interface Plan {
  /** Credits one sent touch costs, by channel. */
  prices: Readonly<Record<Channel, number>>;
  /** Granted on the first of each month (schedule:credit-grants); what is left expires a month later. */
  monthlyCredits: number;
  /** Channels a touch may be sent on (a touch on another channel takes its fallback, or is skipped). */
  channels: readonly Channel[];
  /** Campaigns that may be active at once (starting or resuming one more is refused). */
  maxActiveCampaigns: number;
  /** Daily AI budget in USD unless the client has its own (clients.aiDailyBudgetUsd). */
  aiDailyBudgetUsd: number;
}

export const PLAN_NAMES = ['ignition', 'velocity', 'dominance'] as const satisfies readonly ClientTier[];
export type PlanName = (typeof PLAN_NAMES)[number];

export const PLANS: Readonly<Record<PlanName, Plan>> = {
  ignition: {
    prices: { email: 1, linkedin: 1, sms: 2, voice: 4, mail: 8 },
    monthlyCredits: 1000,
    channels: ['email', 'sms', 'linkedin', 'voice'],
    maxActiveCampaigns: 3,
    aiDailyBudgetUsd: 10,
  },
  velocity: {
    prices: { email: 1, linkedin: 1, sms: 2, voice: 3, mail: 6 },
    monthlyCredits: 5000,
    channels: CHANNELS,
    maxActiveCampaigns: 10,
    aiDailyBudgetUsd: 25,
  },
  dominance: {
    prices: { email: 1, linkedin: 1, sms: 1, voice: 2, mail: 5 },
    monthlyCredits: 20000,
    channels: CHANNELS,
    maxActiveCampaigns: 50,
    aiDailyBudgetUsd: 100,
  },
};

export function planOf(tier: ClientTier): Plan {
  return PLANS[tier];
}

export function priceOf(tier: ClientTier, channel: Channel): number {
  return PLANS[tier].prices[channel];
}

export function planAllowsChannel(tier: ClientTier, channel: Channel): boolean {
  return PLANS[tier].channels.includes(channel);
}

/** The client's daily AI budget: its own when set, the plan's otherwise. */
export function aiDailyBudgetOf(c: { tier: ClientTier; aiDailyBudgetUsd: { toString(): string } | null }): { usd: number; source: 'plan' | 'override' } {
  return c.aiDailyBudgetUsd === null
    ? { usd: PLANS[c.tier].aiDailyBudgetUsd, source: 'plan' }
    : { usd: Number(c.aiDailyBudgetUsd.toString()), source: 'override' };
}

/** A campaign the plan does not allow (answered 409 by the API). */
export class PlanLimitError extends Error {
  constructor(
    readonly code: 'CHANNEL_NOT_IN_PLAN' | 'TOO_MANY_ACTIVE_CAMPAIGNS',
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PlanLimitError';
  }
}

/**
 * Throws unless every touch of the sequence can be sent under the plan: its channel, or its
 * fallback's, is one of the plan's channels.
 */
export function assertSequenceInPlan(tier: ClientTier, touches: readonly { number: number; channel: Channel; fallback?: { channel: Channel } }[]): void {
  const plan = PLANS[tier];
  const blocked = touches.filter((t) => !plan.channels.includes(t.channel) && !(t.fallback && plan.channels.includes(t.fallback.channel)));
  if (blocked.length === 0) return;
  const channels = [...new Set(blocked.map((t) => t.channel))];
  throw new PlanLimitError(
    'CHANNEL_NOT_IN_PLAN',
    `the ${tier} plan does not include ${channels.join(', ')} (touches ${blocked.map((t) => t.number).join(', ')}); give those touches a fallback on ${plan.channels.join('/')} or change the plan`,
    { plan: tier, channels, touches: blocked.map((t) => t.number), allowed: plan.channels },
  );
}

/** Throws when `active` campaigns already use the plan's allowance (before one more becomes active). */
export function assertRoomForActiveCampaign(tier: ClientTier, active: number): void {
  const max = PLANS[tier].maxActiveCampaigns;
  if (active < max) return;
  throw new PlanLimitError(
    'TOO_MANY_ACTIVE_CAMPAIGNS',
    `the ${tier} plan allows ${max} active campaigns and ${active} are active; pause or finish one, or change the plan`,
    {
      plan: tier,
      active,
      max,
    },
  );
}
