// The return date in an out-of-office reply, as the first day the person is back (YYYY-MM-DD).
// Reading rules, for the ambiguous spots:
// - "back / returning / in the office on X" and "away until X" both give X ("until Monday" is
//   commonly "back Monday"); "through X" and the end of a range "from A to B" are the last day
//   away, so the result is the day after.
// - No year: the next such date on or after the received day (a date up to 30 days in the past is
//   kept, the sender is simply late in updating their auto-reply). A weekday given with it
//   ("Monday 12 January") picks the year in which the two agree.
// - Numeric dates are d/m/y for en-AU, en-GB, en-NZ and m/d/y for en-US; an order impossible in the
//   locale (25/12 in en-US) is read the other way.
// - A month alone is its first day ("back in March"), mid-month the 15th, late / end of month its last day.
// - "Monday" is the next Monday after the received day; "next Monday" is Monday of next week;
//   "next week" is next week's Monday; "the 15th" is the next 15th on or after the received day.
import type { ReplyLocale } from './classification';

export interface ReturnDateOptions {
  receivedAt: Date;
  locale?: ReplyLocale;
  timeZone?: string;
}

/** A calendar day (no time, no zone), stored as UTC midnight for easy arithmetic. */
type Day = Date;

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const WEEKDAYS: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};
const NUMBER_WORDS: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };

const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const WEEKDAY = '(sun(?:day)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?)';
const ORD = '(?:st|nd|rd|th)?';

const day = (y: number, m: number, d: number): Day => new Date(Date.UTC(y, m - 1, d));
const addDays = (d: Day, n: number): Day => new Date(d.getTime() + n * 86_400_000);
const iso = (d: Day): string => d.toISOString().slice(0, 10);

function validDay(y: number, m: number, d: number): Day | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = day(y, m, d);
  return date.getUTCMonth() === m - 1 ? date : null;
}

/** The calendar day `at` falls on in `timeZone` (UTC when absent or unknown). */
export function calendarDay(at: Date, timeZone = 'UTC'): Day {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
    return day(get('year'), get('month'), get('day'));
  } catch {
    // An unknown time zone (RangeError): read the day in UTC, a day off at worst.
    return day(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate());
  }
}

const GRACE_DAYS = 30;

/** Month and day without a year: the earliest fitting date from 30 days ago on (matching the weekday, if given). */
function resolveYear(today: Day, m: number, d: number, weekday?: number): Day | null {
  const y = today.getUTCFullYear();
  const earliest = addDays(today, -GRACE_DAYS);
  const candidates = [y - 1, y, y + 1].map((year) => validDay(year, m, d)).filter((c): c is Day => c !== null && c >= earliest);
  if (weekday !== undefined) {
    const match = candidates.find((c) => c.getUTCDay() === weekday);
    if (match) return match;
  }
  return candidates[0] ?? null;
}

function resolveDayOfMonth(today: Day, d: number, weekday?: number): Day | null {
  const candidates: Day[] = [];
  for (let k = 0; k < 4; k++) {
    const month = day(today.getUTCFullYear(), today.getUTCMonth() + 1 + k, 1); // Date.UTC rolls months over
    const c = validDay(month.getUTCFullYear(), month.getUTCMonth() + 1, d);
    if (c && c >= today) candidates.push(c);
  }
  if (weekday !== undefined) {
    const match = candidates.find((c) => c.getUTCDay() === weekday);
    if (match) return match;
  }
  return candidates[0] ?? null;
}

const fullYear = (y: number): number => (y < 100 ? 2000 + y : y);

interface DateMatch {
  index: number;
  length: number;
  resolve: (today: Day, locale: ReplyLocale) => Day | null;
}

// Every way of writing a date we read; each returns where it matched and how to resolve it.
const DATE_FORMS: { re: RegExp; build: (m: RegExpExecArray) => DateMatch['resolve'] }[] = [
  {
    re: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g,
    build: (m) => () => validDay(+m[1], +m[2], +m[3]),
  },
  {
    // A dot needs a year ("3.2.2026"): "9.30" is a time.
    re: /\b(\d{1,2})(?:\/(\d{1,2})(?:\/(\d{4}|\d{2}))?|\.(\d{1,2})\.(\d{4}|\d{2}))\b/g,
    build: (m) => (today, locale) => {
      const a = +m[1];
      const b = +(m[2] ?? m[4]);
      const year = m[3] ?? m[5];
      const [first, second] = locale === 'en-US' ? [b, a] : [a, b]; // [day, month]
      const read = (d: number, mo: number): Day | null =>
        year !== undefined ? validDay(fullYear(+year), mo, d) : validDay(2000, mo, d) ? resolveYear(today, mo, d) : null;
      return read(first, second) ?? read(second, first);
    },
  },
  {
    re: new RegExp(`\\b(?:${WEEKDAY},?\\s+)?(?:the\\s+)?(\\d{1,2})${ORD}(?:\\s+of)?\\s+${MONTH}\\b\\.?,?(?:\\s+(\\d{4}))?`, 'g'),
    build: (m) => (today) => {
      const weekday = m[1] ? WEEKDAYS[m[1]] : undefined;
      const mo = MONTHS[m[3]];
      return m[4] ? validDay(+m[4], mo, +m[2]) : resolveYear(today, mo, +m[2], weekday);
    },
  },
  {
    re: new RegExp(`\\b(?:${WEEKDAY},?\\s+)?${MONTH}\\.?\\s+(?:the\\s+)?(\\d{1,2})${ORD}\\b(?:,?\\s+(\\d{4}))?`, 'g'),
    build: (m) => (today) => {
      const weekday = m[1] ? WEEKDAYS[m[1]] : undefined;
      const mo = MONTHS[m[2]];
      return m[4] ? validDay(+m[4], mo, +m[3]) : resolveYear(today, mo, +m[3], weekday);
    },
  },
  {
    re: new RegExp(`\\b(?:${WEEKDAY},?\\s+)?the\\s+(\\d{1,2})(?:st|nd|rd|th)\\b|\\b${WEEKDAY},?\\s+(\\d{1,2})(?:st|nd|rd|th)\\b`, 'g'),
    build: (m) => (today) => {
      const wd = m[1] ?? m[3];
      const d = +(m[2] ?? m[4]);
      return resolveDayOfMonth(today, d, wd ? WEEKDAYS[wd] : undefined);
    },
  },
  {
    // A month alone ("back in March", "until mid-April 2026"): full names only ("mar" is a word), and
    // "may" only after "in" / "until" / "mid"…, since "I may be back" is not May.
    re: /\b(?:(early|start of|beginning of|mid|mid-|late|end of)\s*)?(january|february|march|april|(?<=\b(?:in|until|till|of|by|early|mid|mid-|late|end of|start of)\s*)may|june|july|august|september|october|november|december)\b(?:\s+(\d{4}))?(?!\s+\d)/g,
    build: (m) => (today) => {
      const mo = MONTHS[m[2]];
      const part = (m[1] ?? '').replace(/-$/, '');
      const lastDay = new Date(Date.UTC(2001, mo, 0)).getUTCDate(); // a non-leap year is fine for "end of"
      const d = part === 'mid' ? 15 : part === 'late' || part === 'end of' ? lastDay : 1;
      return m[3] ? validDay(+m[3], mo, d) : resolveYear(today, mo, d);
    },
  },
  {
    re: /\btomorrow\b/g,
    build: () => (today) => addDays(today, 1),
  },
  {
    re: /\bnext week\b/g,
    build: () => (today) => addDays(today, 8 - (today.getUTCDay() === 0 ? 7 : today.getUTCDay())),
  },
  {
    re: /\bnext month\b/g,
    build: () => (today) => day(today.getUTCFullYear(), today.getUTCMonth() + 2, 1),
  },
  {
    re: /\bin (\d{1,2}|a|one|two|three|four|five|six) (day|days|week|weeks)\b/g,
    build: (m) => (today) => {
      const n = /^\d+$/.test(m[1]) ? +m[1] : NUMBER_WORDS[m[1]];
      return addDays(today, m[2].startsWith('week') ? n * 7 : n);
    },
  },
  {
    re: new RegExp(`\\b(next\\s+)?${WEEKDAY}\\b(?!\\s+(?:the\\s+)?\\d)`, 'g'),
    build: (m) => (today) => {
      const target = WEEKDAYS[m[2]];
      const todayWd = today.getUTCDay();
      if (m[1]) {
        // Monday of next week, then forward to the weekday (Sunday ends the week).
        const nextMonday = addDays(today, 8 - (todayWd === 0 ? 7 : todayWd));
        return addDays(nextMonday, target === 0 ? 6 : target - 1);
      }
      const ahead = (target - todayWd + 7) % 7;
      return addDays(today, ahead === 0 ? 7 : ahead);
    },
  },
];

function firstDate(text: string): DateMatch | null {
  let best: DateMatch | null = null;
  for (const form of DATE_FORMS) {
    form.re.lastIndex = 0;
    const m = form.re.exec(text);
    if (!m) continue;
    const candidate = { index: m.index, length: m[0].length, resolve: form.build(m) };
    if (!best || candidate.index < best.index || (candidate.index === best.index && candidate.length > best.length)) best = candidate;
  }
  return best;
}

// Where a return date is announced, strongest first; `after` is 1 when the date named is the last day away.
const CUES: { re: RegExp; after: number }[] = [
  { re: /\b(?:back|return|returning|returns|resume|resuming|in the office|available again|reachable again|re-?open|re-?opening|re-?opens)\b/g, after: 0 },
  { re: /\b(?:until|till|til|'til|up to and including)\b/g, after: 0 },
  { re: /\b(?:through|thru|inclusive of)\b/g, after: 1 },
  { re: /\bfrom\b[^.\n]{1,40}?\b(?:to|-)\s/g, after: 1 },
];
// How far after a cue its date may start ("back in the office on Monday 12 January").
const CUE_REACH = 45;

/** The return date announced in `text` (already lower-cased), or undefined when it names none. */
export function extractReturnDate(text: string, opts: ReturnDateOptions): string | undefined {
  if (Number.isNaN(opts.receivedAt.getTime())) return undefined;
  const today = calendarDay(opts.receivedAt, opts.timeZone);
  const locale = opts.locale ?? 'en-AU';
  for (const cue of CUES) {
    cue.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = cue.re.exec(text)) !== null) {
      const start = m.index + m[0].length;
      const window = text.slice(start, start + CUE_REACH + 40);
      const found = firstDate(window);
      // The date must follow the cue closely and in the same sentence.
      if (!found || found.index > CUE_REACH || /[.!?;\n]\s/.test(window.slice(0, found.index))) continue;
      const resolved = found.resolve(today, locale);
      if (resolved) return iso(addDays(resolved, cue.after));
    }
  }
  return undefined;
}
