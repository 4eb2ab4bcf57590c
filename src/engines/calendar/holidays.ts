// Public holidays computed from the rules in each jurisdiction's holidays legislation: no network,
// no year-by-year tables except the few dates that are fixed by proclamation (Matariki, one-off
// days, the odd moved holiday). Rules are current law, with the changes since about 2015 applied
// from their year (Easter Sunday holidays, Juneteenth, SA's 2023 Act…). Checked against published
// lists for 2018 onwards; a few older rules are not modelled (e.g. the ACT's Family & Community
// Day 2010–17, Queensland's October Labour Day 2013–15).
//
// Listing conventions (all jurisdictions):
// - A holiday is listed on its own date, weekend or not, unless the law moves it off the weekend
//   (e.g. Australia Day in NSW), in which case only the weekday is listed, under the same name.
// - A weekday added because a holiday fell on a weekend is listed as "<name> (observed)" (UK:
//   "(substitute day)"): the first following weekday that is not already a holiday, so Christmas on
//   a Saturday gives Monday and Boxing Day (Sunday) gives Tuesday. US federal: Saturday → Friday.
// - Part-day holidays (Christmas Eve from 6/7 pm), bank-only holidays and holidays observed in
//   one city or district (Brisbane's Ekka, Hobart Regatta, Tasmania's Recreation Day) are left out.
// - Countries: AU (national + ACT, NSW, NT, QLD, SA, TAS, VIC, WA), NZ (national + anniversary days),
//   GB (England & Wales by default, SCT, NIR), US (federal), CA (federal statutory). Any other
//   country has no holidays (an empty list): weekends still apply, nothing else is guessed.
//   An unknown region of a known country gets the national list.
import { AU_STATE_CODES, type AuStateCode } from '../../shared/domain/places';

export interface Holiday {
  /** YYYY-MM-DD, the civil date in the jurisdiction. */
  date: string;
  name: string;
}

// ---------------------------------------------------------------------------------------------
// Civil-date arithmetic on day numbers (days since 1970-01-01); no time zones involved.
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const SUN = 0;
const MON = 1;
const TUE = 2;
const THU = 4;
const SAT = 6;

function dayNum(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

function isoOf(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

function dow(n: number): number {
  return (((n + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseIso(iso: string): number {
  const m = ISO_DATE.exec(iso);
  const n = m ? dayNum(Number(m[1]), Number(m[2]), Number(m[3])) : NaN;
  if (!m || isoOf(n) !== iso) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  return n;
}

/** Day of week of a YYYY-MM-DD date, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(isoDate: string): number {
  return dow(parseIso(isoDate));
}

/** `isoDate` plus `days` calendar days. */
export function addDays(isoDate: string, days: number): string {
  return isoOf(parseIso(isoDate) + days);
}

/** The n-th `weekday` of a month (n ≥ 1), or the last one (n = -1). */
function nthWeekday(y: number, m: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = dayNum(y, m, 1);
    return first + ((weekday - dow(first) + 7) % 7) + 7 * (n - 1);
  }
  const last = dayNum(y, m + 1, 0);
  return last - ((dow(last) - weekday + 7) % 7);
}

function weekdayOnOrAfter(n: number, weekday: number): number {
  return n + ((weekday - dow(n) + 7) % 7);
}

function weekdayOnOrBefore(n: number, weekday: number): number {
  return n - ((dow(n) - weekday + 7) % 7);
}

/** The Monday nearest a date (Tue–Thu → the Monday before, Fri–Sun → the Monday after). */
function nearestMonday(n: number): number {
  const d = dow(n);
  return d === MON ? n : d <= THU && d !== SUN ? n - (d - MON) : n + ((MON - d + 7) % 7);
}

/** Easter Sunday, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  return isoOf(easter(year));
}

function easter(y: number): number {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNum(y, month, day);
}

// ---------------------------------------------------------------------------------------------
// Rules and weekend observance.
// ---------------------------------------------------------------------------------------------

/**
 * What happens when a holiday falls on a weekend day listed in `on`: `add` keeps it and adds a
 * weekday, `move` replaces it with the weekday. `us` picks Friday for Saturday, Monday for Sunday.
 */
interface Observance {
  on: 'sat_sun' | 'sun';
  how: 'add' | 'move';
  style?: 'next_free' | 'us';
}

interface Rule {
  name: string;
  day: number;
  observe?: Observance;
}

const ADD: Observance = { on: 'sat_sun', how: 'add' };
const MOVE: Observance = { on: 'sat_sun', how: 'move' };
const SUN_MOVE: Observance = { on: 'sun', how: 'move' };
const SUN_ADD: Observance = { on: 'sun', how: 'add' };
const US_OBSERVED: Observance = { on: 'sat_sun', how: 'add', style: 'us' };

function isWeekend(n: number): boolean {
  const d = dow(n);
  return d === SAT || d === SUN;
}

/**
 * Applies weekend observance in list order (so list Christmas before Boxing Day): an observed day is
 * the first weekday after the holiday that no other holiday of the year occupies.
 */
function resolve(rules: readonly Rule[], label: string): { day: number; name: string }[] {
  const taken = new Set(rules.map((r) => r.day));
  const out: { day: number; name: string }[] = [];
  for (const rule of rules) {
    const d = dow(rule.day);
    const o = rule.observe;
    const triggered = o !== undefined && (d === SUN || (d === SAT && o.on === 'sat_sun'));
    if (!o || !triggered) {
      out.push({ day: rule.day, name: rule.name });
      continue;
    }
    let target: number;
    if (o.style === 'us') target = d === SAT ? rule.day - 1 : rule.day + 1;
    else {
      target = rule.day + 1;
      while (isWeekend(target) || taken.has(target)) target += 1;
    }
    taken.add(target);
    if (o.how === 'add') out.push({ day: rule.day, name: rule.name }, { day: target, name: `${rule.name} (${label})` });
    else out.push({ day: target, name: rule.name });
  }
  return out;
}

function fixed(y: number, m: number, d: number, name: string, observe?: Observance): Rule {
  return { name, day: dayNum(y, m, d), observe };
}

/** Dates fixed by proclamation rather than by a rule: "YYYY-MM-DD" → name. */
function oneOffs(y: number, table: Readonly<Record<string, string>>): Rule[] {
  return Object.entries(table)
    .filter(([iso]) => iso.startsWith(`${y}-`))
    .map(([iso, name]) => ({ name, day: parseIso(iso) }));
}

// ---------------------------------------------------------------------------------------------
// Australia: Public Holidays Act 2010 (NSW), Public Holidays Act 1993 (VIC), Holidays Act 1983 (QLD),
// Public Holidays Act 2023 (SA), Public and Bank Holidays Act 1972 (WA), Statutory Holidays Act 2000
// (TAS), Holidays Act 1958 (ACT), Public Holidays Act 1981 (NT), plus proclamations noted inline.
// ---------------------------------------------------------------------------------------------

export const AU_STATES = AU_STATE_CODES;
export type AuState = AuStateCode;

const AU_ONE_OFFS: Readonly<Record<string, string>> = {
  '2022-09-22': 'National Day of Mourning for Queen Elizabeth II',
};

function sovereign(y: number): string {
  return y >= 2023 ? "King's Birthday" : "Queen's Birthday";
}

function auState(state: AuState, y: number): Rule[] {
  const e = easter(y);
  const goodFriday: Rule = { name: 'Good Friday', day: e - 2 };
  const easterSaturday: Rule = { name: 'Easter Saturday', day: e - 1 };
  const easterSunday: Rule = { name: 'Easter Sunday', day: e };
  const easterMonday: Rule = { name: 'Easter Monday', day: e + 1 };
  const newYear = (o: Observance): Rule => fixed(y, 1, 1, "New Year's Day", o);
  // Every state moves Australia Day to the Monday when 26 January is a weekend day.
  const australiaDay = fixed(y, 1, 26, 'Australia Day', MOVE);
  const anzac = (o?: Observance): Rule => fixed(y, 4, 25, 'Anzac Day', o);
  const christmas = fixed(y, 12, 25, 'Christmas Day', ADD);
  const boxing = (o: Observance = ADD, name = 'Boxing Day'): Rule => fixed(y, 12, 26, name, o);
  const monday = (m: number, n: number, name: string): Rule => ({ name, day: nthWeekday(y, m, MON, n) });

  const rules: Rule[] = [...oneOffs(y, AU_ONE_OFFS)];
  const add = (...r: (Rule | false)[]): void => {
    for (const x of r) if (x) rules.push(x);
  };
  switch (state) {
    case 'NSW':
      add(newYear(ADD), australiaDay, goodFriday, easterSaturday, easterSunday, easterMonday);
      // Anzac Day is not substituted in NSW, except by the Public Holidays Amendment (Anzac Day)
      // Order 2026, which added the following Monday in 2026 and 2027.
      add(anzac(y === 2026 || y === 2027 ? ADD : undefined));
      add(monday(6, 2, sovereign(y)), monday(10, 1, 'Labour Day'), christmas, boxing());
      break;
    case 'VIC':
      add(newYear(ADD), australiaDay, monday(3, 2, 'Labour Day'));
      add(goodFriday, easterSaturday, y >= 2016 && easterSunday, easterMonday, anzac());
      add(monday(6, 2, sovereign(y)), grandFinalFriday(y));
      add({ name: 'Melbourne Cup Day', day: nthWeekday(y, 11, TUE, 1) }, christmas, boxing());
      break;
    case 'QLD':
      add(newYear(ADD), australiaDay, goodFriday, easterSaturday, y >= 2017 && easterSunday, easterMonday);
      // Queensland moves Anzac Day to Monday only when it is a Sunday.
      add(anzac(SUN_MOVE), monday(5, 1, 'Labour Day'), monday(10, 1, sovereign(y)), christmas, boxing());
      break;
    case 'SA':
      add(newYear(ADD), australiaDay, monday(3, 2, 'Adelaide Cup Day'));
      add(goodFriday, easterSaturday, y >= 2024 && easterSunday, easterMonday);
      // The 1910 Act added a Monday for a Sunday Anzac Day; the 2023 Act (from 2024) does not.
      add(anzac(y <= 2023 ? SUN_ADD : undefined));
      add(monday(6, 2, sovereign(y)), monday(10, 1, 'Labour Day'), christmas, boxing(ADD, 'Proclamation Day'));
      break;
    case 'WA':
      add(newYear(ADD), australiaDay, monday(3, 1, 'Labour Day'));
      add(goodFriday, y >= 2022 && easterSunday, easterMonday, anzac(ADD));
      add(monday(6, 1, 'Western Australia Day'), waKingsBirthday(y), christmas, boxing());
      break;
    case 'TAS':
      add(newYear(MOVE), australiaDay, monday(3, 2, 'Eight Hours Day'), goodFriday, easterMonday, anzac());
      add(monday(6, 2, sovereign(y)), christmas, boxing(MOVE));
      break;
    case 'ACT':
      add(newYear(ADD), australiaDay, monday(3, 2, 'Canberra Day'));
      add(goodFriday, easterSaturday, y >= 2016 && easterSunday, easterMonday);
      // The Act moves a Sunday Anzac Day to Monday; a Saturday one has been given the Monday by
      // declaration every time since 2020 (2020, 2026), so both weekend days add the Monday here.
      add(anzac(ADD));
      add(y >= 2018 && { name: 'Reconciliation Day', day: weekdayOnOrAfter(dayNum(y, 5, 27), MON) });
      add(monday(6, 2, sovereign(y)), monday(10, 1, 'Labour Day'), christmas, boxing());
      break;
    case 'NT':
      add(newYear(ADD), australiaDay, goodFriday, easterSaturday, y >= 2024 && easterSunday, easterMonday);
      add(anzac(SUN_MOVE), monday(5, 1, 'May Day'), monday(6, 2, sovereign(y)), monday(8, 1, 'Picnic Day'));
      add(christmas, boxing());
      break;
  }
  return rules;
}

/**
 * The Friday before the AFL Grand Final, normally the last Saturday of September. The government
 * confirms it each year; the table holds the years the final was played later.
 */
function grandFinalFriday(y: number): Rule | false {
  if (y < 2015) return false;
  const moved: Readonly<Record<number, string>> = { 2015: '2015-10-02', 2016: '2016-09-30', 2020: '2020-10-23' };
  const day = moved[y] ? parseIso(moved[y]) : nthWeekday(y, 9, SAT, -1) - 1;
  return { name: 'Friday before the AFL Grand Final', day };
}

/** Proclaimed each year by the Governor; the last Monday of September except as listed. */
function waKingsBirthday(y: number): Rule {
  const moved: Readonly<Record<number, string>> = { 2024: '2024-09-23' };
  return { name: sovereign(y), day: moved[y] ? parseIso(moved[y]) : nthWeekday(y, 9, MON, -1) };
}

/** Holidays kept nationally on their own date, plus every day all eight states observe. */
function auNational(y: number): Holiday[] {
  const lists = AU_STATES.map((s) => cached('AU', s, y));
  const everywhere = lists[0].filter((h) => lists.every((l) => l.some((x) => x.date === h.date)));
  const own: Holiday[] = [
    { date: `${y}-01-01`, name: "New Year's Day" },
    { date: `${y}-01-26`, name: 'Australia Day' },
    { date: `${y}-04-25`, name: 'Anzac Day' },
    { date: `${y}-12-25`, name: 'Christmas Day' },
    { date: `${y}-12-26`, name: 'Boxing Day' },
  ];
  return [...own, ...everywhere.filter((h) => !own.some((o) => o.date === h.date))];
}

// ---------------------------------------------------------------------------------------------
// New Zealand: Holidays Act 2003 (Mondayisation of Waitangi and Anzac Day from 2014), Te Kāhui o
// Matariki Public Holiday Act 2022 (its schedule of dates), regional anniversary days as published
// on govt.nz.
// ---------------------------------------------------------------------------------------------

const MATARIKI: Readonly<Record<number, string>> = {
  2022: '06-24',
  2023: '07-14',
  2024: '06-28',
  2025: '06-20',
  2026: '07-10',
  2027: '06-25',
  2028: '07-14',
  2029: '07-06',
  2030: '06-21',
  2031: '07-11',
  2032: '07-02',
  2033: '06-24',
  2034: '07-07',
  2035: '06-29',
  2036: '07-18',
  2037: '07-10',
  2038: '06-25',
  2039: '07-15',
  2040: '07-06',
  2041: '07-19',
  2042: '07-11',
  2043: '07-03',
  2044: '06-24',
  2045: '07-07',
  2046: '06-29',
  2047: '07-19',
  2048: '07-03',
  2049: '06-25',
  2050: '07-15',
  2051: '06-30',
  2052: '06-21',
};

const NZ_ONE_OFFS: Readonly<Record<string, string>> = { '2022-09-26': 'Queen Elizabeth II Memorial Day' };

export const NZ_REGIONS = ['AUK', 'NTL', 'WGN', 'CAN', 'OTA', 'STL', 'NSN', 'TKI', 'HKB', 'MBH', 'WTC', 'CIT'] as const;
type NzRegion = (typeof NZ_REGIONS)[number];

function nz(region: NzRegion | undefined, y: number): Rule[] {
  const e = easter(y);
  const mondayised = y >= 2014 ? ADD : undefined;
  const labourDay = nthWeekday(y, 10, MON, 4);
  const rules: Rule[] = [
    fixed(y, 1, 1, "New Year's Day", ADD),
    fixed(y, 1, 2, "Day after New Year's Day", ADD),
    fixed(y, 2, 6, 'Waitangi Day', mondayised),
    { name: 'Good Friday', day: e - 2 },
    { name: 'Easter Monday', day: e + 1 },
    fixed(y, 4, 25, 'Anzac Day', mondayised),
    { name: y >= 2023 ? "King's Birthday" : "Queen's Birthday", day: nthWeekday(y, 6, MON, 1) },
    { name: 'Labour Day', day: labourDay },
    fixed(y, 12, 25, 'Christmas Day', ADD),
    fixed(y, 12, 26, 'Boxing Day', ADD),
    ...oneOffs(y, NZ_ONE_OFFS),
  ];
  if (MATARIKI[y]) rules.push({ name: 'Matariki', day: parseIso(`${y}-${MATARIKI[y]}`) });
  const anniversary = region ? nzAnniversary(region, y, e, labourDay) : null;
  if (anniversary) rules.push(anniversary);
  return rules;
}

function nzAnniversary(region: NzRegion, y: number, e: number, labourDay: number): Rule | null {
  switch (region) {
    case 'AUK':
    case 'NTL':
      return { name: 'Auckland Anniversary Day', day: nearestMonday(dayNum(y, 1, 29)) };
    case 'WGN':
      return { name: 'Wellington Anniversary Day', day: nearestMonday(dayNum(y, 1, 22)) };
    case 'NSN':
      return { name: 'Nelson Anniversary Day', day: nearestMonday(dayNum(y, 2, 1)) };
    case 'TKI':
      return { name: 'Taranaki Anniversary Day', day: nthWeekday(y, 3, MON, 2) };
    case 'OTA': {
      // Nearest Monday to 23 March, or the Tuesday when that Monday is Easter Monday.
      const d = nearestMonday(dayNum(y, 3, 23));
      return { name: 'Otago Anniversary Day', day: d === e + 1 ? d + 1 : d };
    }
    case 'STL':
      return { name: 'Southland Anniversary Day', day: e + 2 }; // Easter Tuesday since 2012
    case 'HKB':
      return { name: "Hawke's Bay Anniversary Day", day: labourDay - 3 };
    case 'MBH':
      return { name: 'Marlborough Anniversary Day', day: labourDay + 7 };
    case 'CAN':
      // Christchurch Show Day: the second Friday after the first Tuesday of November.
      return { name: 'Canterbury Anniversary Day', day: nthWeekday(y, 11, TUE, 1) + 10 };
    case 'WTC':
      return { name: 'West Coast Anniversary Day', day: nearestMonday(dayNum(y, 12, 1)) };
    case 'CIT':
      return { name: 'Chatham Islands Anniversary Day', day: nearestMonday(dayNum(y, 11, 30)) };
  }
}

// ---------------------------------------------------------------------------------------------
// United Kingdom: Banking and Financial Dealings Act 1971 and the yearly proclamations; England
// and Wales unless the region is Scotland or Northern Ireland.
// ---------------------------------------------------------------------------------------------

const UK_ONE_OFFS: Readonly<Record<string, string>> = {
  '2011-04-29': 'Wedding of Prince William and Catherine Middleton',
  '2012-06-05': 'Diamond Jubilee of Elizabeth II',
  '2022-06-03': 'Platinum Jubilee of Elizabeth II',
  '2022-09-19': 'State Funeral of Queen Elizabeth II',
  '2023-05-08': 'Coronation of King Charles III',
};
const SCT_ONE_OFFS: Readonly<Record<string, string>> = {
  '2026-06-15': "Scotland's FIFA World Cup bank holiday",
};
// Bank holidays moved by proclamation from their usual Monday.
const UK_EARLY_MAY_MOVED: Readonly<Record<number, string>> = { 2020: '2020-05-08' };
const UK_SPRING_MOVED: Readonly<Record<number, string>> = { 2012: '2012-06-04', 2022: '2022-06-02' };

type UkRegion = 'ENG' | 'SCT' | 'NIR';

function uk(region: UkRegion, y: number): Rule[] {
  const e = easter(y);
  const rules: Rule[] = [fixed(y, 1, 1, "New Year's Day", ADD)];
  if (region === 'SCT') rules.push(fixed(y, 1, 2, '2nd January', ADD));
  if (region === 'NIR') rules.push(fixed(y, 3, 17, "St Patrick's Day", ADD));
  rules.push({ name: 'Good Friday', day: e - 2 });
  if (region !== 'SCT') rules.push({ name: 'Easter Monday', day: e + 1 });
  const earlyMay = UK_EARLY_MAY_MOVED[y] ? parseIso(UK_EARLY_MAY_MOVED[y]) : nthWeekday(y, 5, MON, 1);
  const spring = UK_SPRING_MOVED[y] ? parseIso(UK_SPRING_MOVED[y]) : nthWeekday(y, 5, MON, -1);
  rules.push({ name: 'Early May bank holiday', day: earlyMay }, { name: 'Spring bank holiday', day: spring });
  if (region === 'NIR') rules.push(fixed(y, 7, 12, "Battle of the Boyne (Orangemen's Day)", ADD));
  rules.push({ name: 'Summer bank holiday', day: region === 'SCT' ? nthWeekday(y, 8, MON, 1) : nthWeekday(y, 8, MON, -1) });
  if (region === 'SCT') rules.push(fixed(y, 11, 30, "St Andrew's Day", ADD));
  rules.push(fixed(y, 12, 25, 'Christmas Day', ADD), fixed(y, 12, 26, 'Boxing Day', ADD));
  rules.push(...oneOffs(y, UK_ONE_OFFS));
  if (region === 'SCT') rules.push(...oneOffs(y, SCT_ONE_OFFS));
  return rules;
}

// ---------------------------------------------------------------------------------------------
// United States: federal holidays, 5 U.S.C. 6103 (Saturday → observed Friday, Sunday → Monday).
// ---------------------------------------------------------------------------------------------

function us(y: number): Rule[] {
  const rules: Rule[] = [
    fixed(y, 1, 1, "New Year's Day", US_OBSERVED),
    { name: 'Birthday of Martin Luther King, Jr.', day: nthWeekday(y, 1, MON, 3) },
    { name: "Washington's Birthday", day: nthWeekday(y, 2, MON, 3) },
    { name: 'Memorial Day', day: nthWeekday(y, 5, MON, -1) },
    fixed(y, 7, 4, 'Independence Day', US_OBSERVED),
    { name: 'Labor Day', day: nthWeekday(y, 9, MON, 1) },
    { name: 'Columbus Day', day: nthWeekday(y, 10, MON, 2) },
    fixed(y, 11, 11, 'Veterans Day', US_OBSERVED),
    { name: 'Thanksgiving Day', day: nthWeekday(y, 11, THU, 4) },
    fixed(y, 12, 25, 'Christmas Day', US_OBSERVED),
  ];
  if (y >= 2021) rules.push(fixed(y, 6, 19, 'Juneteenth National Independence Day', US_OBSERVED));
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Canada: federal statutory holidays (Canada Labour Code s. 166); a holiday on a weekend is given on
// the following working day, as the federal public service does. Provincial holidays are not modelled.
// ---------------------------------------------------------------------------------------------

function ca(y: number): Rule[] {
  const rules: Rule[] = [
    fixed(y, 1, 1, "New Year's Day", ADD),
    { name: 'Good Friday', day: easter(y) - 2 },
    { name: 'Victoria Day', day: weekdayOnOrBefore(dayNum(y, 5, 24), MON) },
    fixed(y, 7, 1, 'Canada Day', ADD),
    { name: 'Labour Day', day: nthWeekday(y, 9, MON, 1) },
    { name: 'Thanksgiving Day', day: nthWeekday(y, 10, MON, 2) },
    fixed(y, 11, 11, 'Remembrance Day', ADD),
    fixed(y, 12, 25, 'Christmas Day', ADD),
    fixed(y, 12, 26, 'Boxing Day', ADD),
  ];
  if (y >= 2021) rules.push(fixed(y, 9, 30, 'National Day for Truth and Reconciliation', ADD));
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Country and region names.
// ---------------------------------------------------------------------------------------------

type Country = 'AU' | 'NZ' | 'GB' | 'US' | 'CA';

const COUNTRY_ALIASES: Readonly<Record<string, { country: Country; region?: string }>> = {
  AU: { country: 'AU' },
  AUS: { country: 'AU' },
  AUSTRALIA: { country: 'AU' },
  NZ: { country: 'NZ' },
  NZL: { country: 'NZ' },
  'NEW ZEALAND': { country: 'NZ' },
  GB: { country: 'GB' },
  UK: { country: 'GB' },
  GBR: { country: 'GB' },
  'UNITED KINGDOM': { country: 'GB' },
  'GREAT BRITAIN': { country: 'GB' },
  ENGLAND: { country: 'GB', region: 'ENG' },
  WALES: { country: 'GB', region: 'WLS' },
  SCOTLAND: { country: 'GB', region: 'SCT' },
  'NORTHERN IRELAND': { country: 'GB', region: 'NIR' },
  US: { country: 'US' },
  USA: { country: 'US' },
  'UNITED STATES': { country: 'US' },
  'UNITED STATES OF AMERICA': { country: 'US' },
  CA: { country: 'CA' },
  CAN: { country: 'CA' },
  CANADA: { country: 'CA' },
};

const REGION_ALIASES: Readonly<Record<string, string>> = {
  'NEW SOUTH WALES': 'NSW',
  VICTORIA: 'VIC',
  QUEENSLAND: 'QLD',
  'SOUTH AUSTRALIA': 'SA',
  'WESTERN AUSTRALIA': 'WA',
  TASMANIA: 'TAS',
  'AUSTRALIAN CAPITAL TERRITORY': 'ACT',
  'NORTHERN TERRITORY': 'NT',
  AUCKLAND: 'AUK',
  NORTHLAND: 'NTL',
  WELLINGTON: 'WGN',
  CANTERBURY: 'CAN',
  OTAGO: 'OTA',
  SOUTHLAND: 'STL',
  NELSON: 'NSN',
  TARANAKI: 'TKI',
  "HAWKE'S BAY": 'HKB',
  'HAWKES BAY': 'HKB',
  MARLBOROUGH: 'MBH',
  'WEST COAST': 'WTC',
  'CHATHAM ISLANDS': 'CIT',
  ENGLAND: 'ENG',
  WALES: 'WLS',
  SCOTLAND: 'SCT',
  'NORTHERN IRELAND': 'NIR',
};

function clean(s: string | undefined | null): string {
  return (s ?? '').trim().replace(/\s+/g, ' ').toUpperCase();
}

function normalize(country: string, region: string | undefined | null): { country: Country; region?: string } | null {
  const c = COUNTRY_ALIASES[clean(country)];
  if (!c) return null;
  let r = clean(region) || c.region || '';
  r = r.replace(/^[A-Z]{2}-/, ''); // ISO 3166-2 form, e.g. "AU-NSW"
  r = REGION_ALIASES[r] ?? r;
  return { country: c.country, region: r || undefined };
}

// ---------------------------------------------------------------------------------------------
// Public API.
// ---------------------------------------------------------------------------------------------

const cache = new Map<string, readonly Holiday[]>();

function cached(country: Country, region: string | undefined, year: number): readonly Holiday[] {
  const key = `${country}|${region ?? ''}|${year}`;
  let list = cache.get(key);
  if (!list) {
    list = Object.freeze(compute(country, region, year).map((h) => Object.freeze(h)));
    cache.set(key, list);
  }
  return list;
}

function rulesFor(country: Country, region: string | undefined, y: number): { day: number; name: string }[] {
  switch (country) {
    case 'AU':
      return resolve(auState(region as AuState, y), 'observed');
    case 'NZ':
      return resolve(nz(region as NzRegion | undefined, y), 'observed');
    case 'GB':
      return resolve(uk(region as UkRegion, y), 'substitute day');
    case 'US':
      return resolve(us(y), 'observed');
    case 'CA':
      return resolve(ca(y), 'observed');
  }
}

function compute(country: Country, region: string | undefined, year: number): Holiday[] {
  if (country === 'AU' && !AU_STATES.includes(region as AuState)) return sortHolidays(auNational(year));
  const r =
    country === 'NZ'
      ? NZ_REGIONS.includes(region as NzRegion)
        ? region
        : undefined
      : country === 'GB'
        ? region === 'SCT' || region === 'NIR'
          ? region
          : 'ENG'
        : region;
  // Observed days can cross into the neighbouring year (US: 1 January on a Saturday → 31 December).
  const prefix = `${year}-`;
  const seen = new Set<string>();
  const out: Holiday[] = [];
  for (const y of [year - 1, year, year + 1]) {
    for (const h of rulesFor(country, r, y)) {
      const date = isoOf(h.day);
      const key = `${date}|${h.name}`;
      if (date.startsWith(prefix) && !seen.has(key)) {
        seen.add(key);
        out.push({ date, name: h.name });
      }
    }
  }
  return sortHolidays(out);
}

function sortHolidays(list: Holiday[]): Holiday[] {
  return list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * Public holidays of a country (ISO code or English name) and optional region (state, territory,
 * ISO 3166-2 code or name) in a year, sorted by date. Unknown country → [] (documented above).
 */
export function holidaysFor(country: string, region: string | undefined | null, year: number): Holiday[] {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) throw new RangeError(`unsupported year: ${year}`);
  const n = normalize(country, region);
  if (!n) return [];
  return cached(n.country, n.region, year).map((h) => ({ ...h }));
}

/** The holiday on a YYYY-MM-DD date (the first, if two share it), or null. */
export function holidayOn(country: string, region: string | undefined | null, isoDate: string): Holiday | null {
  parseIso(isoDate);
  const n = normalize(country, region);
  if (!n) return null;
  const hit = cached(n.country, n.region, Number(isoDate.slice(0, 4))).find((h) => h.date === isoDate);
  return hit ? { ...hit } : null;
}

export function isHoliday(country: string, region: string | undefined | null, isoDate: string): boolean {
  return holidayOn(country, region, isoDate) !== null;
}
