// Text analysis helpers for the offline (no-Claude) skill implementations. They read the scraper's
// structured text: `#` headings, `- ` list items, `> ` meta description, `[image: alt]` images.

export interface Section {
  level: number;
  heading: string;
  /** Lines under the heading up to the next heading of any level. */
  lines: string[];
}

export interface PageLike {
  url: string;
  title?: string | null;
  text: string;
}

const HEADING = /^(#{1,6})\s+(.*)$/;

export function sections(text: string): Section[] {
  const out: Section[] = [{ level: 0, heading: '', lines: [] }];
  for (const line of text.split('\n')) {
    const m = HEADING.exec(line);
    if (m) out.push({ level: m[1].length, heading: m[2].trim(), lines: [] });
    else if (line.trim()) out[out.length - 1].lines.push(line.trim());
  }
  return out.filter((s) => s.heading || s.lines.length);
}

export function headings(text: string, maxLevel = 6): Array<{ level: number; text: string }> {
  return text
    .split('\n')
    .map((l) => HEADING.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[1].length <= maxLevel)
    .map((m) => ({ level: m[1].length, text: m[2].trim() }));
}

export function listItems(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^\s*-\s+(.*)$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => !!l);
}

export function imageAlts(text: string): string[] {
  return [...text.matchAll(/^\[image: (.*)\]$/gm)].map((m) => m[1].trim());
}

export function metaDescription(text: string): string | null {
  return /^> (.*)$/m.exec(text)?.[1]?.trim() ?? null;
}

/** Prose lines: not headings, images, or the meta description; list markers stripped. */
export function proseLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() && !HEADING.test(l) && !l.startsWith('[image:') && !l.startsWith('> '))
    .map((l) => l.replace(/^\s*-\s+/, '').trim());
}

export function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z0-9“"'])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function firstSentence(text: string, maxChars = 240): string {
  const s = sentences(text)[0] ?? text;
  return s.length > maxChars ? `${s.slice(0, maxChars - 1).replace(/\s+\S*$/, '')}…` : s;
}

export function wordCount(text: string): number {
  return (text.match(/[A-Za-z0-9'’]+/g) ?? []).length;
}

export const STOP_WORDS = new Set(
  ('a an and are as at be been but by can do for from get has have how i if in into is it its more most our of on or ' +
    'so than that the their them then there these they this to up us was we what when which who why will with you your ' +
    'all any about just not no only out over very also each every per via')
    .split(' '),
);

/** Lowercase word frequencies without stop words. */
export function termFrequency(text: string): Map<string, number> {
  const freq = new Map<string, number>();
  for (const w of text.toLowerCase().match(/[a-z][a-z'’-]+/g) ?? []) {
    if (STOP_WORDS.has(w) || w.length < 3) continue;
    freq.set(w, (freq.get(w) ?? 0) + 1);
  }
  return freq;
}

/** Occurrences of a phrase as whole words (case-insensitive). A trailing `*` matches a word prefix. */
export function countPhrase(text: string, phrase: string): number {
  const prefix = phrase.endsWith('*');
  const body = (prefix ? phrase.slice(0, -1) : phrase).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  const re = new RegExp(`(?<![A-Za-z0-9])${body}${prefix ? '[A-Za-z]*' : '(?![A-Za-z0-9])'}`, 'gi');
  return (text.match(re) ?? []).length;
}

export function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\b(pty|ltd|limited|inc|llc|co|group|the)\b\.?/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function titleCase(s: string): string {
  return s.replace(/\b([a-z])([a-z']*)/g, (_m, a: string, b: string) => a.toUpperCase() + b);
}

export function unique<T>(items: T[], key: (t: T) => string = (t) => String(t)): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

export function pathOf(url: string): string {
  try {
    return new URL(url).pathname.toLowerCase();
  } catch {
    // Not an absolute URL (TypeError): compare it as written.
    return url.toLowerCase();
  }
}

// ---- places ---------------------------------------------------------------------------------

export interface Place {
  name: string;
  country: 'Australia' | 'New Zealand' | 'United Kingdom' | 'United States' | 'Canada' | 'Ireland' | 'Singapore';
  state?: string;
}

export const PLACES: readonly Place[] = [
  { name: 'Sydney', country: 'Australia', state: 'NSW' },
  { name: 'Parramatta', country: 'Australia', state: 'NSW' },
  { name: 'Newcastle', country: 'Australia', state: 'NSW' },
  { name: 'Wollongong', country: 'Australia', state: 'NSW' },
  { name: 'Central Coast', country: 'Australia', state: 'NSW' },
  { name: 'Bondi', country: 'Australia', state: 'NSW' },
  { name: 'Melbourne', country: 'Australia', state: 'VIC' },
  { name: 'Geelong', country: 'Australia', state: 'VIC' },
  { name: 'Brisbane', country: 'Australia', state: 'QLD' },
  { name: 'Gold Coast', country: 'Australia', state: 'QLD' },
  { name: 'Sunshine Coast', country: 'Australia', state: 'QLD' },
  { name: 'Cairns', country: 'Australia', state: 'QLD' },
  { name: 'Townsville', country: 'Australia', state: 'QLD' },
  { name: 'Perth', country: 'Australia', state: 'WA' },
  { name: 'Adelaide', country: 'Australia', state: 'SA' },
  { name: 'Hobart', country: 'Australia', state: 'TAS' },
  { name: 'Canberra', country: 'Australia', state: 'ACT' },
  { name: 'Darwin', country: 'Australia', state: 'NT' },
  { name: 'Auckland', country: 'New Zealand' },
  { name: 'Wellington', country: 'New Zealand' },
  { name: 'Christchurch', country: 'New Zealand' },
  { name: 'London', country: 'United Kingdom' },
  { name: 'Manchester', country: 'United Kingdom' },
  { name: 'New York', country: 'United States' },
  { name: 'San Francisco', country: 'United States' },
  { name: 'Los Angeles', country: 'United States' },
  { name: 'Chicago', country: 'United States' },
  { name: 'Austin', country: 'United States' },
  { name: 'Toronto', country: 'Canada' },
  { name: 'Vancouver', country: 'Canada' },
  { name: 'Dublin', country: 'Ireland' },
  { name: 'Singapore', country: 'Singapore' },
];

const COUNTRY_WORDS: ReadonlyArray<[RegExp, Place['country']]> = [
  [/\b(australia|australian|aussie)\b/i, 'Australia'],
  [/\b(new zealand|nz)\b/i, 'New Zealand'],
  [/\b(united kingdom|uk|britain)\b/i, 'United Kingdom'],
  [/\b(united states|usa|america)\b/i, 'United States'],
  [/\bcanada\b/i, 'Canada'],
];

/** Place names mentioned in the text with their counts, most mentioned first. */
export function placesIn(text: string): Array<{ place: Place; count: number }> {
  return PLACES.map((place) => ({ place, count: countPhrase(text, place.name) }))
    .filter((p) => p.count > 0)
    .sort((a, b) => b.count - a.count);
}

export function countriesIn(text: string): Array<{ country: Place['country']; count: number }> {
  return COUNTRY_WORDS.map(([re, country]) => ({ country, count: (text.match(new RegExp(re.source, 'gi')) ?? []).length }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count);
}

// ---- numbers --------------------------------------------------------------------------------

const NUMBER_WORDS: Record<string, number> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100,
};

/** "18", "1,200" or "twelve" → number. */
export function parseCount(s: string): number | null {
  const n = Number(s.replace(/,/g, ''));
  if (Number.isFinite(n)) return n;
  return NUMBER_WORDS[s.toLowerCase()] ?? null;
}
