// Merge fields in generated copy must be ones the content engine can fill (see
// src/engines/content/templates.ts: `{{field}}` or `{{field|fallback}}`). Fields a lead may lack
// need a fallback, or the touch would be skipped at send time. Lengths are checked on an estimate
// of the rendered text: each field counts as a typical long value (or its fallback, if longer).
import type { MergeContext } from '../../content/templates';

const FIELD = /\{\{\s*([a-zA-Z]+)\s*(?:\|([^}]*))?\}\}/g;

/** Typical long values, in characters. */
export const FIELD_LENGTH: Readonly<Record<keyof MergeContext, number>> = {
  firstName: 12,
  lastName: 15,
  title: 30,
  companyName: 30,
  companyIndustry: 25,
  city: 15,
  senderName: 20,
  agencyName: 30,
};

/** Always filled at send time (from the client record). */
const ALWAYS: ReadonlySet<string> = new Set(['senderName', 'agencyName']);

export function mergeFieldProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(FIELD)) {
    const [whole, name, fallback] = m;
    if (!(name in FIELD_LENGTH)) problems.push(`unknown merge field ${whole} (allowed: ${Object.keys(FIELD_LENGTH).join(', ')})`);
    else if (!ALWAYS.has(name) && (fallback === undefined || fallback.trim() === '')) problems.push(`${whole} needs a fallback, e.g. {{${name}|there}}`);
  }
  const stray = text.replace(FIELD, '');
  if (/\{\{|\}\}|\[\[|\]\]|\{[A-Z_]+\}/.test(stray)) problems.push('malformed placeholder: use {{field}} or {{field|fallback}}');
  return problems;
}

export function estimatedLength(text: string): number {
  return text.replace(FIELD, (_m, name: string, fallback: string | undefined) => {
    const n = Math.max(FIELD_LENGTH[name as keyof MergeContext] ?? 20, (fallback ?? '').trim().length);
    return 'x'.repeat(n);
  }).length;
}
