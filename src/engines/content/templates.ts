// Touch content from templates with merge fields: `{{firstName}}`, or `{{firstName|there}}` with a
// fallback. A field with no value and no fallback fails the render, so a touch never goes out
// with an unfilled merge field.

export interface TouchTemplate {
  subject?: string;
  body: string;
}

export interface MergeContext {
  firstName?: string | null;
  lastName?: string | null;
  title?: string | null;
  companyName?: string | null;
  companyIndustry?: string | null;
  city?: string | null;
  senderName?: string | null;
  agencyName?: string | null;
}

export class UnfilledMergeFieldError extends Error {
  constructor(readonly fields: string[]) {
    super(`unfilled merge field(s): ${fields.join(', ')}`);
    this.name = 'UnfilledMergeFieldError';
  }
}

const FIELD = /\{\{\s*([a-zA-Z]+)\s*(?:\|([^}]*))?\}\}/g;

export function renderTemplate(template: string, ctx: MergeContext): string {
  const missing: string[] = [];
  const out = template.replace(FIELD, (_m, name: string, fallback: string | undefined) => {
    const value = (ctx as Record<string, string | null | undefined>)[name];
    if (value !== undefined && value !== null && String(value).trim() !== '') return String(value).trim();
    if (fallback !== undefined) return fallback.trim();
    missing.push(name);
    return '';
  });
  if (missing.length) throw new UnfilledMergeFieldError([...new Set(missing)]);
  return out;
}

export function renderTouch(t: TouchTemplate, ctx: MergeContext): { subject?: string; body: string } {
  return { subject: t.subject === undefined ? undefined : renderTemplate(t.subject, ctx), body: renderTemplate(t.body, ctx) };
}

/** Default copy for the Growth Engine touch kinds; campaigns override per touch. */
export const DEFAULT_TEMPLATES: Record<string, TouchTemplate> = {
  email_intro: {
    subject: 'Quick question about {{companyName|your team}}',
    body:
      'Hi {{firstName|there}},\n\nI work with {{companyIndustry|growing}} businesses like {{companyName|yours}} on ' +
      'winning new clients without adding headcount. Would a 15-minute call next week be worth it?\n\n{{senderName}}',
  },
  linkedin_connect: {
    body: 'Hi {{firstName|there}}, I help {{companyIndustry|growing}} teams win new clients. Would be good to connect. {{senderName}}',
  },
  email_followup: {
    body:
      'Hi {{firstName|there}},\n\nFloating this back up in case it got buried. Happy to share how similar teams ' +
      'booked more meetings last quarter.\n\n{{senderName}}',
  },
  sms: { body: 'Hi {{firstName|there}}, {{senderName}} here from {{agencyName}}. Worth a quick chat about new clients for {{companyName|your business}}?' },
  voice: {
    body:
      'Introduce {{agencyName}}; reference {{companyName|their business}} and the earlier email; ask one question about ' +
      'their pipeline; offer a 15-minute call.',
  },
  mail: {
    body: 'Dear {{firstName|there}},\n\nA short note from {{agencyName}} about helping {{companyName|your business}} win new clients.\n\n{{senderName}}',
  },
  email_breakup: {
    subject: 'Closing the loop',
    body:
      'Hi {{firstName|there}},\n\nI have not heard back, so I will assume the timing is not right and stop here. ' +
      'If that changes, just reply to this email.\n\n{{senderName}}',
  },
};
