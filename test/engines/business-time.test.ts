import { ZodError } from 'zod';
import {
  DEFAULT_TIME_ZONE,
  addBusinessDays,
  instantAt,
  isValidTimeZone,
  localDate,
  nextSendWindow,
  resolveTimeZone,
  type CalendarContext,
} from '../../src/engines/calendar/business-time';

const at = (iso: string): Date => new Date(iso);

const SYDNEY: CalendarContext = { timeZone: 'Australia/Sydney', country: 'AU', region: 'NSW' };
const MELBOURNE: CalendarContext = { timeZone: 'Australia/Melbourne', country: 'AU', region: 'VIC' };
const BRISBANE: CalendarContext = { timeZone: 'Australia/Brisbane', country: 'AU', region: 'QLD' };
const PERTH: CalendarContext = { timeZone: 'Australia/Perth', country: 'AU', region: 'WA' };
const NEW_YORK: CalendarContext = { timeZone: 'America/New_York', country: 'US' };

describe('nextSendWindow', () => {
  describe('Sydney, Mon–Fri 08:00–18:00 (AEDT = UTC+11 until 5 April 2026)', () => {
    it.each<[string, string, string, string | null]>([
      ['Friday 17:59', '2026-03-13T06:59:00Z', '2026-03-13T06:59:00Z', null],
      ['Friday 17:59:59.999', '2026-03-13T06:59:59.999Z', '2026-03-13T06:59:59.999Z', null],
      ['Friday 18:00 → Monday 08:00', '2026-03-13T07:00:00Z', '2026-03-15T21:00:00Z', 'outside_hours'],
      ['Friday 08:00 (the window opens)', '2026-03-12T21:00:00Z', '2026-03-12T21:00:00Z', null],
      ['Friday 07:59:59.999 → 08:00 the same day', '2026-03-12T20:59:59.999Z', '2026-03-12T21:00:00Z', 'outside_hours'],
      ['Thursday 23:30 → Friday 08:00', '2026-03-12T12:30:00Z', '2026-03-12T21:00:00Z', 'outside_hours'],
      ['Saturday 10:00 → Monday 08:00', '2026-03-13T23:00:00Z', '2026-03-15T21:00:00Z', 'weekend'],
      ['Sunday 23:59 → Monday 08:00', '2026-03-15T12:59:00Z', '2026-03-15T21:00:00Z', 'weekend'],
    ])('%s', (_label, now, expected, reason) => {
      const r = nextSendWindow(at(now), SYDNEY);
      expect(r.at.toISOString()).toBe(new Date(expected).toISOString());
      expect(r.reason).toBe(reason);
      expect(r.holidayName).toBeUndefined();
      expect(r.timeZone).toBe('Australia/Sydney');
    });

    it('returns `now` itself when inside the window', () => {
      const now = at('2026-03-13T01:00:00Z');
      expect(nextSendWindow(now, SYDNEY).at).toBe(now);
    });
  });

  it('waits out a holiday Monday (Easter Monday 2026, NSW) until Tuesday 08:00', () => {
    const r = nextSendWindow(at('2026-04-06T00:00:00Z'), SYDNEY); // Monday 10:00 AEST
    expect(r).toEqual({ at: at('2026-04-06T22:00:00Z'), reason: 'holiday', holidayName: 'Easter Monday', timeZone: 'Australia/Sydney' });
  });

  it("applies the lead's own state: King's Birthday 8 June 2026 is a holiday in NSW and VIC, not in QLD", () => {
    const now = at('2026-06-07T23:00:00Z'); // Monday 09:00 on the east coast (UTC+10)
    expect(nextSendWindow(now, SYDNEY)).toMatchObject({ reason: 'holiday', holidayName: "King's Birthday", at: at('2026-06-08T22:00:00Z') });
    expect(nextSendWindow(now, MELBOURNE)).toMatchObject({ reason: 'holiday', holidayName: "King's Birthday" });
    expect(nextSendWindow(now, BRISBANE)).toEqual({ at: now, reason: null, timeZone: 'Australia/Brisbane' });
    expect(nextSendWindow(now, { timeZone: 'Australia/Sydney' })).toMatchObject({ reason: null }); // no country: no holidays
  });

  it('names the first holiday a wait skips: Thursday evening before Easter waits until Tuesday', () => {
    const r = nextSendWindow(at('2026-04-02T07:30:00Z'), SYDNEY); // Thursday 18:30 AEDT
    expect(r).toEqual({ at: at('2026-04-06T22:00:00Z'), reason: 'outside_hours', holidayName: 'Good Friday', timeZone: 'Australia/Sydney' });
  });

  describe('daylight saving changes', () => {
    it('Australia/Melbourne: Friday evening before DST starts (4 Oct 2026) → Monday 08:00 AEDT', () => {
      const r = nextSendWindow(at('2026-10-02T08:30:00Z'), MELBOURNE); // Friday 18:30 AEST (UTC+10)
      expect(r.at.toISOString()).toBe('2026-10-04T21:00:00.000Z'); // 08:00 at UTC+11, not 22:00Z
    });

    it('Australia/Sydney: the same weekend also skips NSW Labour Day (5 Oct 2026)', () => {
      const r = nextSendWindow(at('2026-10-02T08:30:00Z'), SYDNEY);
      expect(r).toEqual({ at: at('2026-10-05T21:00:00Z'), reason: 'outside_hours', holidayName: 'Labour Day', timeZone: 'Australia/Sydney' });
    });

    it('Australia/Sydney: on the transition Sunday itself', () => {
      expect(nextSendWindow(at('2026-10-04T01:00:00Z'), MELBOURNE)).toMatchObject({ at: at('2026-10-04T21:00:00Z'), reason: 'weekend' });
    });

    it('Australia/Sydney: Friday before DST ends (6 April 2025) → Monday 08:00 AEST', () => {
      const r = nextSendWindow(at('2025-04-04T07:00:00Z'), SYDNEY); // Friday 18:00 AEDT
      expect(r.at.toISOString()).toBe('2025-04-06T22:00:00.000Z'); // 08:00 at UTC+10
    });

    it('America/New_York: DST starts 8 March 2026', () => {
      expect(nextSendWindow(at('2026-03-06T23:00:00Z'), NEW_YORK).at.toISOString()).toBe('2026-03-09T12:00:00.000Z');
      expect(nextSendWindow(at('2026-03-09T11:59:00Z'), NEW_YORK).at.toISOString()).toBe('2026-03-09T12:00:00.000Z');
      expect(nextSendWindow(at('2026-03-09T12:00:00Z'), NEW_YORK).reason).toBeNull();
      // Sunday 01:30 EST, half an hour before the change.
      expect(nextSendWindow(at('2026-03-08T06:30:00Z'), NEW_YORK)).toMatchObject({ at: at('2026-03-09T12:00:00Z'), reason: 'weekend' });
    });

    it('America/New_York: DST ends 1 November 2026', () => {
      expect(nextSendWindow(at('2026-10-30T22:00:00Z'), NEW_YORK).at.toISOString()).toBe('2026-11-02T13:00:00.000Z');
    });

    it('a window opening inside the spring-forward gap opens when the clock reaches it (02:00 → 03:00)', () => {
      const ctx: CalendarContext = { timeZone: 'Australia/Sydney', window: { startHour: 2, endHour: 5, days: [0] } };
      const r = nextSendWindow(at('2026-10-03T14:30:00Z'), ctx); // Sunday 00:30 AEST
      expect(r.at.toISOString()).toBe('2026-10-03T16:00:00.000Z'); // 03:00 AEDT
    });

    it('a window opening in the repeated fall-back hour opens at its first occurrence', () => {
      const ctx: CalendarContext = { timeZone: 'America/New_York', window: { startHour: 1, endHour: 3, days: [0] } };
      const r = nextSendWindow(at('2026-11-01T04:30:00Z'), ctx); // Sunday 00:30 EDT
      expect(r.at.toISOString()).toBe('2026-11-01T05:00:00.000Z'); // 01:00 EDT, not 01:00 EST
    });
  });

  it('treats a lead in New York and one in Perth differently at the same instant', () => {
    const now = at('2026-03-10T13:00:00Z'); // Tuesday 09:00 in New York, 21:00 in Perth
    expect(nextSendWindow(now, NEW_YORK)).toEqual({ at: now, reason: null, timeZone: 'America/New_York' });
    expect(nextSendWindow(now, PERTH)).toEqual({ at: at('2026-03-11T00:00:00Z'), reason: 'outside_hours', timeZone: 'Australia/Perth' });

    const later = at('2026-03-11T01:00:00Z'); // Tuesday 21:00 in New York, Wednesday 09:00 in Perth
    expect(nextSendWindow(later, NEW_YORK)).toMatchObject({ at: at('2026-03-11T12:00:00Z'), reason: 'outside_hours' });
    expect(nextSendWindow(later, PERTH)).toMatchObject({ at: later, reason: null });
  });

  it('uses a custom window: a Sunday–Thursday week makes Friday a "weekend"', () => {
    const ctx: CalendarContext = { timeZone: 'Asia/Dubai', window: { startHour: 9, endHour: 17, days: [0, 1, 2, 3, 4] } };
    const r = nextSendWindow(at('2026-03-13T08:00:00Z'), ctx); // Friday 12:00 in Dubai (UTC+4)
    expect(r).toMatchObject({ at: at('2026-03-15T05:00:00Z'), reason: 'weekend' });
  });

  it('allows a window that runs to midnight', () => {
    const ctx: CalendarContext = { timeZone: 'UTC', window: { startHour: 0, endHour: 24, days: [1, 2, 3, 4, 5] } };
    expect(nextSendWindow(at('2026-03-13T23:59:59Z'), ctx).reason).toBeNull();
    expect(nextSendWindow(at('2026-03-14T00:00:00Z'), ctx).at.toISOString()).toBe('2026-03-16T00:00:00.000Z');
  });

  it.each([
    ['end before start', { startHour: 18, endHour: 8, days: [1] }],
    ['empty days', { startHour: 8, endHour: 18, days: [] }],
    ['duplicate days', { startHour: 8, endHour: 18, days: [1, 1] }],
    ['day out of range', { startHour: 8, endHour: 18, days: [7] }],
    ['fractional hour', { startHour: 8.5, endHour: 18, days: [1] }],
  ])('rejects a window with %s', (_label, window) => {
    expect(() => nextSendWindow(at('2026-03-13T00:00:00Z'), { timeZone: 'UTC', window })).toThrow(ZodError);
  });

  it('falls back to a default zone when the lead’s zone is invalid or missing', () => {
    const now = at('2026-03-10T13:00:00Z');
    expect(nextSendWindow(now, { timeZone: 'Mars/Olympus' })).toMatchObject({ timeZone: DEFAULT_TIME_ZONE, at: at('2026-03-10T21:00:00Z') });
    expect(nextSendWindow(now, { timeZone: null })).toMatchObject({ timeZone: DEFAULT_TIME_ZONE });
    expect(nextSendWindow(now, { timeZone: 'nope', fallbackTimeZone: 'America/New_York' })).toEqual({
      at: now,
      reason: null,
      timeZone: 'America/New_York',
    });
  });

  it('rejects an invalid date', () => {
    expect(() => nextSendWindow(new Date('not a date'), SYDNEY)).toThrow(RangeError);
  });
});

describe('addBusinessDays', () => {
  const THURSDAY_BEFORE_EASTER = at('2026-04-01T23:00:00Z'); // Thursday 2 April 2026, 10:00 AEDT

  it.each<[number, string]>([
    [0, '2026-04-01T23:00:00Z'], // day 0 is the same instant
    [1, '2026-04-07T00:00:00Z'], // Tuesday 10:00 AEST: Good Friday, the weekend and Easter Monday skipped (and DST ended)
    [2, '2026-04-08T00:00:00Z'],
    [5, '2026-04-13T00:00:00Z'],
  ])('NSW over Easter 2026: +%i → %s', (days, expected) => {
    expect(addBusinessDays(THURSDAY_BEFORE_EASTER, days, SYDNEY).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('only skips weekends when the lead has no country', () => {
    expect(addBusinessDays(THURSDAY_BEFORE_EASTER, 1, { timeZone: 'Australia/Sydney' }).toISOString()).toBe('2026-04-02T23:00:00.000Z');
  });

  it('skips the Anzac Monday in WA but not in VIC (27 April 2026)', () => {
    expect(addBusinessDays(at('2026-04-24T01:00:00Z'), 1, PERTH).toISOString()).toBe('2026-04-28T01:00:00.000Z');
    expect(addBusinessDays(at('2026-04-23T23:00:00Z'), 1, MELBOURNE).toISOString()).toBe('2026-04-26T23:00:00.000Z');
  });

  it('counts from a weekend day: Saturday + 1 is Monday', () => {
    expect(addBusinessDays(at('2026-03-13T23:00:00Z'), 1, SYDNEY).toISOString()).toBe('2026-03-15T23:00:00.000Z');
  });

  it('keeps the local time of day across a DST change', () => {
    // Friday 2 Oct 2026 10:00 AEST → Monday 5 Oct 10:00 AEDT (VIC has no October holiday).
    expect(addBusinessDays(at('2026-10-02T00:00:00Z'), 1, MELBOURNE).toISOString()).toBe('2026-10-04T23:00:00.000Z');
  });

  it('moves a local time that does not exist on the target day forward by the gap', () => {
    const everyDay: CalendarContext = { timeZone: 'Australia/Sydney', window: { startHour: 0, endHour: 24, days: [0, 1, 2, 3, 4, 5, 6] } };
    // Saturday 3 Oct 2026 02:30 AEST + 1 → Sunday 02:30, which is skipped: 03:30 AEDT.
    expect(addBusinessDays(at('2026-10-02T16:30:00Z'), 1, everyDay).toISOString()).toBe('2026-10-03T16:30:00.000Z');
  });

  it.each([-1, 1.5, Number.NaN])('rejects %p days', (days) => {
    expect(() => addBusinessDays(THURSDAY_BEFORE_EASTER, days, SYDNEY)).toThrow(RangeError);
  });
});

describe('localDate', () => {
  it.each<[string, string, string]>([
    ['2026-03-10T13:00:00Z', 'Australia/Sydney', '2026-03-11'],
    ['2026-03-10T12:59:59.999Z', 'Australia/Sydney', '2026-03-10'],
    ['2026-03-10T13:00:00Z', 'America/New_York', '2026-03-10'],
    ['2026-03-10T16:00:00Z', 'Australia/Perth', '2026-03-11'],
    ['2026-03-10T15:59:59Z', 'Australia/Perth', '2026-03-10'],
  ])('%s in %s is %s', (now, tz, expected) => {
    expect(localDate(at(now), tz)).toBe(expected);
  });

  it('falls back for an invalid zone', () => {
    expect(localDate(at('2026-03-10T13:00:00Z'), 'Not/AZone')).toBe('2026-03-11'); // Sydney
    expect(localDate(at('2026-03-10T13:00:00Z'), 'Not/AZone', 'America/New_York')).toBe('2026-03-10');
  });
});

describe('time zones', () => {
  it.each<[unknown, boolean]>([
    ['Australia/Sydney', true],
    ['America/New_York', true],
    ['UTC', true],
    ['Mars/Olympus', false],
    ['', false],
    ['   ', false],
    [undefined, false],
    [42, false],
  ])('isValidTimeZone(%p) → %p', (tz, expected) => {
    expect(isValidTimeZone(tz)).toBe(expected);
  });

  it('resolveTimeZone refuses an invalid fallback', () => {
    expect(resolveTimeZone('Australia/Perth', 'nope')).toBe('Australia/Perth');
    expect(() => resolveTimeZone('nope', 'also nope')).toThrow(RangeError);
  });

  it('instantAt reads a local wall clock', () => {
    expect(instantAt('2026-07-01', 9, 30, 'Australia/Sydney').toISOString()).toBe('2026-06-30T23:30:00.000Z');
    expect(instantAt('2026-10-04', 2, 30, 'Australia/Sydney').toISOString()).toBe('2026-10-03T16:30:00.000Z'); // gap
    expect(instantAt('2026-11-01', 1, 30, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z'); // overlap
    expect(() => instantAt('2026-07-01', 9, 0, 'Not/AZone')).toThrow(RangeError);
  });
});
