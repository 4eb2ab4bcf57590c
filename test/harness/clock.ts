// Whether "now" is inside a lead's send window is a test's input, never the hour the suite runs at.
//
// A calendar here is a time zone, a send window, a country and a state chosen so that the current
// instant is inside (`open`) or outside (`closed`) the window, with hours of margin either side so a
// test file's few minutes never cross an edge: `open` puts the local clock near 13:00 in an every-day
// 08–18 window, `closed` near 03:00 (the window opens at least five hours later). Fixed-offset
// `Etc/GMT±N` zones have no daylight saving. The local date is never a public holiday of the
// calendar's country (when every candidate zone's date is one, e.g. Christmas or Easter in
// Australia, the calendar falls back to a country without a holiday calendar).
//
// Tests that depend on the window pin it with windowOpenNow()/windowClosedNow(). Everything else
// gets the run's moment (AOS_TEST_MOMENT, default `closed`): the fixtures use it and every test
// database defaults new clients to it, so a test that forgets to pin still behaves the same at any
// hour, and the two-moment guard (scripts/two-moment-guard.mjs) runs the window-sensitive files
// under both moments to catch a verdict that depends on it.
import { holidayOn } from '../../src/engines/calendar/holidays';
import { DEFAULT_WINDOW, type SendWindow } from '../../src/engines/calendar/business-time';

export type Moment = 'open' | 'closed';

export interface TestCalendar {
  timeZone: string;
  sendWindow: SendWindow;
  country: string;
  state: string | null;
}

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];
const WINDOW: SendWindow = { startHour: 8, endHour: 18, days: EVERY_DAY };
/** Local hour aimed at: mid-window when open, the middle of the night when closed. */
const TARGET_HOUR: Record<Moment, number> = { open: 13, closed: 3 };
/** Tolerated distance from the target hour (keeps ≥ 3 h to the window's edges). */
const SLACK_HOURS: Record<Moment, number> = { open: 2, closed: 2 };
/** A country without a holiday calendar (the last resort on multi-day holidays). */
const HOLIDAY_FREE_COUNTRY = 'SG';

export function runMoment(): Moment {
  const m = process.env.AOS_TEST_MOMENT ?? 'closed';
  if (m !== 'open' && m !== 'closed') throw new Error(`AOS_TEST_MOMENT must be open or closed, got ${m}`);
  return m;
}

/** `Etc/GMT-N` is UTC+N (POSIX signs). */
function etcZone(offsetHours: number): string {
  if (offsetHours === 0) return 'Etc/GMT';
  return offsetHours > 0 ? `Etc/GMT-${offsetHours}` : `Etc/GMT+${-offsetHours}`;
}

function localDate(now: Date, offsetHours: number): string {
  return new Date(now.getTime() + offsetHours * 3_600_000).toISOString().slice(0, 10);
}

function localHour(now: Date, offsetHours: number): number {
  return new Date(now.getTime() + offsetHours * 3_600_000).getUTCHours() + now.getUTCMinutes() / 60;
}

export function calendarAt(moment: Moment, opts: { country?: string; state?: string | null; now?: Date } = {}): TestCalendar {
  const now = opts.now ?? new Date();
  const country = opts.country ?? 'AU';
  const state = opts.state === undefined ? 'NSW' : opts.state;
  // Candidate offsets (UTC-12 … UTC+14), nearest to the target hour first.
  const candidates = [];
  for (let off = -12; off <= 14; off++) {
    const distance = Math.abs(localHour(now, off) - TARGET_HOUR[moment]);
    if (distance <= SLACK_HOURS[moment]) candidates.push({ off, distance });
  }
  candidates.sort((a, b) => a.distance - b.distance);
  if (candidates.length === 0) throw new Error(`no zone puts ${now.toISOString()} near ${TARGET_HOUR[moment]}:00`);
  const free = candidates.find((c) => !holidayOn(country, state ?? undefined, localDate(now, c.off)));
  if (free) return { timeZone: etcZone(free.off), sendWindow: WINDOW, country, state };
  return { timeZone: etcZone(candidates[0].off), sendWindow: WINDOW, country: HOLIDAY_FREE_COUNTRY, state: null };
}

/** A calendar in which "now" (and the next few hours) is inside the send window. */
export function windowOpenNow(opts: { country?: string; state?: string | null; now?: Date } = {}): TestCalendar {
  return calendarAt('open', opts);
}

/** A calendar in which "now" (and the next few hours) is outside the send window (`outside_hours`). */
export function windowClosedNow(opts: { country?: string; state?: string | null; now?: Date } = {}): TestCalendar {
  return calendarAt('closed', opts);
}

/**
 * Sydney's real business hours (08–18 Monday to Friday, NSW holidays). A time-skipping stack starts its
 * clock at a fixed instant (`startAt`), so that instant, not the wall clock, decides the moment: its
 * tests use this calendar unless they pin another.
 */
export const SYDNEY_BUSINESS_HOURS: TestCalendar = Object.freeze({
  timeZone: 'Australia/Sydney',
  sendWindow: { ...DEFAULT_WINDOW, days: [...DEFAULT_WINDOW.days] },
  country: 'AU',
  state: 'NSW',
});

let pinned: TestCalendar | undefined;

/** Makes `calendar` the default of this test file's fixtures and databases (time-skipping stacks). */
export function pinDefaultCalendar(calendar: TestCalendar | undefined): void {
  pinned = calendar;
}

/** The run's moment as a calendar: what fixtures and new test databases use when a test pins nothing. */
export function defaultCalendar(opts: { country?: string; state?: string | null } = {}): TestCalendar {
  if (pinned) return opts.state === null ? { ...pinned, state: null } : pinned;
  return calendarAt(runMoment(), opts);
}

/** The lead columns of a calendar (a lead's zone and holidays override its client's). */
export function leadCalendar(cal: TestCalendar): Pick<TestCalendar, 'timeZone' | 'country' | 'state'> {
  return { timeZone: cal.timeZone, country: cal.country, state: cal.state };
}
