import {
  CHANNELS,
  DEFAULT_DAILY_LIMITS,
  channelsForTier,
  defaultDailyLimit,
  isChannelAllowed,
  pickResource,
  remainingCapacity,
  type Channel,
  type SendResourceState,
} from '../../src/engines/allocator';
import type { ChannelName } from '../../src/integrations/channels';
import type { AlsTier } from '../../src/engines/scorer';

// The allocator's Channel and the integrations' ChannelName must stay the same union.
const _sameUnion: [Channel extends ChannelName ? true : false, ChannelName extends Channel ? true : false] = [true, true];

describe('channelsForTier', () => {
  it.each<[AlsTier, Channel[]]>([
    ['hot', ['email', 'sms', 'linkedin', 'voice', 'mail']],
    ['warm', ['email', 'linkedin', 'voice']],
    ['cool', ['email', 'linkedin']],
    ['cold', ['email']],
    ['dead', []],
  ])('%s → %j', (tier, channels) => {
    expect([...channelsForTier(tier)]).toEqual(channels);
  });

  it('returns frozen lists so callers cannot change the rules', () => {
    expect(Object.isFrozen(channelsForTier('hot'))).toBe(true);
  });

  it('rejects an unknown tier', () => {
    expect(() => channelsForTier('lukewarm' as AlsTier)).toThrow(RangeError);
  });
});

describe('isChannelAllowed', () => {
  const allowed: Record<AlsTier, Channel[]> = {
    hot: ['email', 'sms', 'linkedin', 'voice', 'mail'],
    warm: ['email', 'linkedin', 'voice'],
    cool: ['email', 'linkedin'],
    cold: ['email'],
    dead: [],
  };
  const table = (Object.keys(allowed) as AlsTier[]).flatMap((tier) =>
    CHANNELS.map((channel): [AlsTier, Channel, boolean] => [tier, channel, allowed[tier].includes(channel)]),
  );

  it.each(table)('%s + %s → %s', (tier, channel, expected) => {
    expect(isChannelAllowed(tier, channel)).toBe(expected);
  });
});

describe('daily limits', () => {
  it('matches the per-resource caps of the design', () => {
    expect(DEFAULT_DAILY_LIMITS).toEqual({ email: 50, sms: 100, linkedin: 17, voice: 50 });
    expect(defaultDailyLimit('linkedin')).toBe(17);
    expect(defaultDailyLimit('mail')).toBeNull();
  });
});

const res = (over: Partial<SendResourceState> & { id: string }): SendResourceState => ({
  channel: 'email',
  identifier: `${over.id}.example.com`,
  dailyLimit: 50,
  usedToday: 0,
  active: true,
  ...over,
});

describe('remainingCapacity', () => {
  it.each<[string, Partial<SendResourceState>, number]>([
    ['fresh', {}, 50],
    ['partly used', { usedToday: 20 }, 30],
    ['full', { usedToday: 50 }, 0],
    ['over a lowered limit', { usedToday: 60, dailyLimit: 40 }, 0],
    ['corrupt limit', { dailyLimit: Number.NaN }, 0],
    ['infinite limit', { dailyLimit: Number.POSITIVE_INFINITY }, 0],
  ])('%s', (_label, over, expected) => {
    expect(remainingCapacity(res({ id: 'a', ...over }))).toBe(expected);
  });
});

describe('pickResource', () => {
  it('picks the active resource of the channel with the most capacity left', () => {
    const resources = [
      res({ id: 'a', usedToday: 40 }),
      res({ id: 'b', usedToday: 10 }),
      res({ id: 'c', usedToday: 0, active: false }),
      res({ id: 'd', usedToday: 0, channel: 'sms', dailyLimit: 100 }),
    ];
    expect(pickResource(resources, 'email')?.id).toBe('b');
    expect(pickResource(resources, 'sms')?.id).toBe('d');
  });

  it('compares capacity left, not limits', () => {
    const resources = [res({ id: 'big', dailyLimit: 100, usedToday: 95 }), res({ id: 'small', dailyLimit: 17, usedToday: 0 })];
    expect(pickResource(resources, 'email')?.id).toBe('small');
  });

  it('breaks ties by identifier, then id, whatever the input order', () => {
    const a = res({ id: 'z', identifier: 'alpha.com', usedToday: 5 });
    const b = res({ id: 'y', identifier: 'beta.com', usedToday: 5 });
    const c = res({ id: 'x', identifier: 'alpha.com', usedToday: 5 });
    expect(pickResource([b, a, c], 'email')?.id).toBe('x');
    expect(pickResource([c, b, a], 'email')?.id).toBe('x');
    expect(pickResource([a, b], 'email')?.identifier).toBe('alpha.com');
  });

  it('compares identifiers by code unit, not locale', () => {
    const upper = res({ id: '1', identifier: 'Zeta.com' });
    const lower = res({ id: '2', identifier: 'alpha.com' });
    expect(pickResource([lower, upper], 'email')?.id).toBe('1'); // 'Z' (0x5a) < 'a' (0x61)
  });

  it('returns null when every resource is full, inactive or of another channel', () => {
    expect(pickResource([], 'email')).toBeNull();
    expect(
      pickResource(
        [res({ id: 'a', usedToday: 50 }), res({ id: 'b', active: false }), res({ id: 'c', channel: 'voice' }), res({ id: 'd', dailyLimit: 0 })],
        'email',
      ),
    ).toBeNull();
  });

  it('returns the caller’s own object, with its extra fields', () => {
    const row = { ...res({ id: 'a' }), clientId: 'client-1' };
    const picked = pickResource([row], 'email');
    expect(picked).toBe(row);
    expect(picked?.clientId).toBe('client-1');
  });

  it('spreads sends evenly when called after each send', () => {
    const pool = [res({ id: 'a', identifier: 'a.com', dailyLimit: 3 }), res({ id: 'b', identifier: 'b.com', dailyLimit: 3 })];
    const order: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const r = pickResource(pool, 'email');
      if (!r) break;
      order.push(r.id);
      r.usedToday += 1;
    }
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });
});
