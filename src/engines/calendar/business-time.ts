// Business time in the lead's own time zone: when may a touch go out, and what is "N business days
// later" on the lead's calendar (weekends and the public holidays of their country and state skipped).
// Pure: time zones come from the ICU data in Node (`Intl.DateTimeFormat`), the clock from the caller.
import { z } from 'zod';
import { addDays, holidayOn, weekdayOf } from './holidays';
import { isIanaTimeZone } from '../../shared/domain/time-zones';

/** Used when a lead's zone is missing or invalid and the caller gives no fallback (the clients' default). */
export const DEFAULT_TIME_ZONE = 'Australia/Sydney';

/** Local sending hours: [startHour, endHour) on `days` (0 = Sunday … 6 = Saturday). */
export const SendWindowSchema = z
  .strictObject({
    startHour: z.number().int().min(0).max(23),
    endHour: z.number().int().min(1).max(24),
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
  })
  .refine((w) => w.startHour < w.endHour, { message: 'startHour must be before endHour', path: ['endHour'] })
  .refine((w) => new Set(w.days).size === w.days.length, { message: 'days must be unique', path: ['days'] });
export type SendWindow = z.infer<typeof SendWindowSchema>;

export const DEFAULT_WINDOW: SendWindow = Object.freeze({ startHour: 8, endHour: 18, days: Object.freeze([1, 2, 3, 4, 5]) as number[] });

export interface CalendarContext {
  /** The lead's IANA zone, e.g. "Australia/Perth". */
  timeZone: string | null | undefined;
  /** Whose public holidays to skip (see holidays.ts); none when absent. */
  country?: string | null;
  region?: string | null;
  window?: SendWindow;
  /** Used when `timeZone` is missing or invalid (e.g. the client's zone); default DEFAULT_TIME_ZONE. */
  fallbackTimeZone?: string;
}

export type WaitReason = 'outside_hours' | 'weekend' | 'holiday';

export interface SendWindowResult {
  /** `now` when inside the window, else the start of the next window. */
  at: Date;
  /** Why `now` is not in the window: a day outside `window.days` is a "weekend". */
  reason: WaitReason | null;
  /** The first public holiday on a window day that the wait skips (today's when reason is holiday). */
  holidayName?: string;
  /** The zone actually used (the fallback when the lead's was invalid). */
  timeZone: string;
}

// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** No window is further away than a year plus every holiday in it. */
const SEARCH_DAYS = 400;

const validity = new Map<string, boolean>();

export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  let ok = validity.get(timeZone);
  if (ok === undefined) {
    ok = isIanaTimeZone(timeZone);
    validity.set(timeZone, ok);
  }
  return ok;
}

/** The zone to use: `timeZone` when valid, else `fallback`; throws when neither is valid. */
export function resolveTimeZone(timeZone: string | null | undefined, fallback: string = DEFAULT_TIME_ZONE): string {
  if (isValidTimeZone(timeZone)) return timeZone;
  if (isValidTimeZone(fallback)) return fallback;
  throw new RangeError(`invalid fallback time zone: ${fallback}`);
}

/** The local calendar date (YYYY-MM-DD) of an instant; resource counters count per local day. */
export function localDate(now: Date, timeZone: string | null | undefined, fallbackTimeZone?: string): string {
  return wallOf(instant(now), resolveTimeZone(timeZone, fallbackTimeZone)).date;
}

/** The instant at which the local clock in `timeZone` reads `hour:minute` on `isoDate` (see zonedInstant). */
export function instantAt(isoDate: string, hour: number, minute: number, timeZone: string): Date {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`invalid time zone: ${timeZone}`);
  return new Date(zonedInstant(isoDate, hour * HOUR_MS + minute * 60_000, timeZone));
}

export function nextSendWindow(now: Date, ctx: CalendarContext): SendWindowResult {
  const t = instant(now);
  const tz = resolveTimeZone(ctx.timeZone, ctx.fallbackTimeZone);
  const win = SendWindowSchema.parse(ctx.window ?? DEFAULT_WINDOW);
  const start = win.startHour * HOUR_MS;
  const end = win.endHour * HOUR_MS;
  const wall = wallOf(t, tz);

  const todayBlock = blocked(wall.date, ctx, win);
  if (!todayBlock && wall.msOfDay >= start && wall.msOfDay < end) return { at: now, reason: null, timeZone: tz };

  const reason: WaitReason = todayBlock?.reason ?? 'outside_hours';
  let holidayName = todayBlock?.holiday;
  let date = !todayBlock && wall.msOfDay < start ? wall.date : addDays(wall.date, 1);
  for (let i = 0; i < SEARCH_DAYS; i += 1, date = addDays(date, 1)) {
    const block = blocked(date, ctx, win);
    if (block) {
      holidayName ??= block.holiday;
      continue;
    }
    const at = zonedInstant(date, start, tz);
    if (at > t) return { at: new Date(at), reason, ...(holidayName ? { holidayName } : {}), timeZone: tz };
  }
  throw new Error(`no send window within ${SEARCH_DAYS} days of ${now.toISOString()}`);
}

/**
 * `days` business days after `from` on the lead's calendar, at the same local time of day (a time
 * that does not exist on that day because of a DST change moves forward by the gap). Business days
 * are window days that are not public holidays; day 0 is `from` itself, and from a weekend day 1 is
 * the next business day. The result is not clamped to the window: pass it to `nextSendWindow`.
 */
export function addBusinessDays(from: Date, days: number, ctx: CalendarContext): Date {
  const t = instant(from);
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`);
  if (days === 0) return new Date(t);
  const tz = resolveTimeZone(ctx.timeZone, ctx.fallbackTimeZone);
  const win = SendWindowSchema.parse(ctx.window ?? DEFAULT_WINDOW);
  const wall = wallOf(t, tz);
  let date = wall.date;
  let counted = 0;
  for (let i = 0; counted < days; i += 1) {
    if (i > days + SEARCH_DAYS) throw new Error(`no ${days} business days found after ${from.toISOString()}`);
    date = addDays(date, 1);
    if (!blocked(date, ctx, win)) counted += 1;
  }
  return new Date(zonedInstant(date, wall.msOfDay, tz));
}

// ---------------------------------------------------------------------------------------------

function instant(d: Date): number {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (Number.isNaN(t)) throw new RangeError('invalid Date');
  return t;
}

function blocked(isoDate: string, ctx: CalendarContext, win: SendWindow): { reason: 'weekend' | 'holiday'; holiday?: string } | null {
  if (!win.days.includes(weekdayOf(isoDate))) return { reason: 'weekend' };
  const h = ctx.country ? holidayOn(ctx.country, ctx.region ?? undefined, isoDate) : null;
  return h ? { reason: 'holiday', holiday: h.name } : null;
}

interface Wall {
  date: string;
  msOfDay: number;
  /** The wall clock read as if it were UTC, in ms. */
  asUtc: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

function wallOf(t: number, tz: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(t)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const ms = ((t % 1000) + 1000) % 1000;
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, ms);
  const msOfDay = ((parts.hour * 60 + parts.minute) * 60 + parts.second) * 1000 + ms;
  return { date: new Date(asUtc - msOfDay).toISOString().slice(0, 10), msOfDay, asUtc };
}

/** Local minus UTC at instant t, in ms. */
function offsetAt(t: number, tz: string): number {
  return wallOf(t, tz).asUtc - t;
}

/**
 * The instant whose local wall clock in `tz` reads `msOfDay` on `isoDate`. When the clock goes
 * back and the time happens twice, the earlier instant; when it springs forward over the time,
 * the instant the same distance after the gap (02:30 in a 02:00→03:00 gap is 03:30).
 */
function zonedInstant(isoDate: string, msOfDay: number, tz: string): number {
  const wallUtc = Date.parse(`${isoDate}T00:00:00Z`) + msOfDay;
  // Offsets a day either side cover any single transition near this wall time.
  const offsets = [...new Set([offsetAt(wallUtc - DAY_MS, tz), offsetAt(wallUtc, tz), offsetAt(wallUtc + DAY_MS, tz)])];
  const exact = offsets.map((o) => wallUtc - o).filter((c) => offsetAt(c, tz) === wallUtc - c);
  if (exact.length > 0) return Math.min(...exact);
  return wallUtc - Math.min(...offsets);
}
