// messaging-generator: the copy for one channel of the sequence — email (subject + body for the
// intro, the threaded follow-up and the break-up), LinkedIn (connection note ≤ 300 characters and an
// InMail), SMS (≤ 160 characters including the opt-out), voice (opener, talking points, objection
// answers, voicemail) and direct mail (a letter). Copy uses the content engine's merge fields
// ({{firstName|there}}, {{companyName|your practice}}, {{senderName}}, {{agencyName}}); lengths are
// checked on an estimate of the rendered text (each field at a typical long value).
// Offline: the copy is composed from the agency's own facts — its audience, the ICP's first pain
// point, its top services, its strongest proof point and differentiator — into fixed, tested
// structures; long optional parts are dropped until each channel's length rule holds.
import { z } from 'zod';
import { SMS_OPT_OUT } from '../../compliance/email-compliance';
import type { TouchTemplate } from '../../content/templates';
import type { TouchKind } from '../../sequence-plan';
import { MESSAGING_ORDER } from '../../../shared/domain/channels';
import { defineSkill } from '../skill';
import { estimatedLength, mergeFieldProblems } from './merge-fields';
import { scoreIndustries } from '../icp/industry-classifier';

export const CHANNELS = MESSAGING_ORDER;
export type CopyChannel = (typeof MESSAGING_ORDER)[number];

export const SMS_MAX = 160;
export const LINKEDIN_NOTE_MAX = 300;

export const MessagingInput = z.object({
  channel: z.enum(CHANNELS),
  agency: z.object({
    name: z.string(),
    services: z.array(z.string()),
    valueProp: z.string(),
    proofPoints: z.array(z.string()),
    differentiators: z.array(z.string()),
  }),
  icp: z.object({
    industries: z.array(z.string()),
    titles: z.array(z.string()),
    painPoints: z.array(z.string()),
  }),
  /** How the copy names the audience, used verbatim ("dental practices"). */
  audience: z.string().min(1),
  /** The pain point the copy leads with, used verbatim. */
  painPoint: z.string().min(1),
  /** The taxonomy industry the copy is for (offline: facts naming other industries are left out). */
  industrySlug: z.string().nullable().optional(),
});
export type MessagingInput = z.infer<typeof MessagingInput>;

/** zod refinement: merge fields valid and an estimated rendered length within `max`. */
const copy = (max: number, what: string) =>
  z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      for (const p of mergeFieldProblems(text)) ctx.addIssue({ code: 'custom', message: p });
      const est = estimatedLength(text);
      if (est > max) ctx.addIssue({ code: 'custom', message: `${what} is about ${est} characters once merge fields are filled; the limit is ${max}` });
    });

export const EmailCopy = z.object({
  channel: z.literal('email'),
  intro: z.object({ subject: copy(90, 'subject'), body: copy(1500, 'body') }),
  followUp: z.object({ body: copy(1200, 'body') }),
  breakup: z.object({ subject: copy(90, 'subject'), body: copy(900, 'body') }),
});
export const LinkedInCopy = z.object({
  channel: z.literal('linkedin'),
  connectionNote: copy(LINKEDIN_NOTE_MAX, 'the connection note'),
  inMail: z.object({ subject: copy(200, 'subject'), body: copy(1900, 'body') }),
});
export const SmsCopy = z.object({
  channel: z.literal('sms'),
  text: copy(SMS_MAX, 'the SMS').refine((t) => t.includes('STOP'), `the SMS must end with the opt-out "${SMS_OPT_OUT}"`),
});
export const VoiceCopy = z.object({
  channel: z.literal('voice'),
  opener: copy(300, 'the opener'),
  talkingPoints: z.array(copy(240, 'a talking point')).min(3).max(7),
  objections: z.array(z.object({ objection: z.string().min(1).max(120), response: copy(300, 'a response') })).max(5),
  voicemail: copy(450, 'the voicemail'),
});
export const MailCopy = z.object({
  channel: z.literal('mail'),
  letter: copy(2000, 'the letter'),
});

export const MessagingOutput = z.discriminatedUnion('channel', [EmailCopy, LinkedInCopy, SmsCopy, VoiceCopy, MailCopy]);
export type MessagingOutput = z.infer<typeof MessagingOutput>;
export type ChannelCopy<C extends CopyChannel> = Extract<MessagingOutput, { channel: C }>;

const SCHEMA_FOR: Record<CopyChannel, z.ZodType<MessagingOutput>> = {
  email: EmailCopy,
  linkedin: LinkedInCopy,
  sms: SmsCopy,
  voice: VoiceCopy,
  mail: MailCopy,
};

/** Lower-cases a sentence-case phrase ("Empty chairs…" → "empty chairs…"); names such as "Google Ads" stay. */
const lcFirst = (s: string) => (/^[A-Z][a-z]+(?:[^A-Z]*)$/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);
const noDot = (s: string) => s.replace(/[.!\s]+$/, '');
const listOf = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** The first candidate whose estimated length fits. */
function fit(max: number, ...candidates: string[]): string {
  return candidates.find((c) => estimatedLength(c) <= max) ?? candidates[candidates.length - 1];
}

/** Whether a fact suits copy for `slug`: it names no industry, or names this one. */
function suits(fact: string, slug: string | null | undefined): boolean {
  if (!slug) return true;
  const named = [...scoreIndustries(fact).keys()];
  return named.length === 0 || named.includes(slug);
}

export function composeOffline(input: MessagingInput): MessagingOutput {
  const audience = input.audience;
  const slug = input.industrySlug;
  const pain = lcFirst(noDot(input.painPoint));
  const services = input.agency.services.slice(0, 2).map(lcFirst);
  const serviceText = services.length ? listOf(services) : 'marketing';
  const firstService = services[0] ?? 'marketing';
  const proofs = input.agency.proofPoints.filter((p) => suits(p, slug) && p.split(' ').length <= 14);
  const proof = proofs[0] ? noDot(proofs[0]) : null;
  const diffs = input.agency.differentiators.filter((d) => suits(d, slug));
  const diff = diffs[0] ? noDot(diffs[0]) : null;
  // The agency's own value proposition is quoted only when it fits this audience.
  const valueProp = input.agency.valueProp.length <= 220 && suits(input.agency.valueProp, slug) && (!slug || scoreIndustries(input.agency.valueProp).has(slug)) ? noDot(input.agency.valueProp) : null;
  const company = '{{companyName|your business}}';
  const hello = 'Hi {{firstName|there}}, {{senderName}} from {{agencyName}}.';

  switch (input.channel) {
    case 'email':
      return {
        channel: 'email',
        intro: {
          subject: `Quick idea for {{companyName|your team}}`,
          body: [
            'Hi {{firstName|there}},',
            `I'm with {{agencyName}}. We work with ${audience}, and the problem we hear most is ${pain}.`,
            valueProp ? `${valueProp}.` : `We fix that with ${serviceText}.`,
            ...(proof ? [`One result we are proud of: ${lcFirst(proof)}.`] : []),
            `Would a 15-minute call next week be useful to see whether the same could work for ${company}?`,
            '{{senderName}}',
          ].join('\n\n'),
        },
        followUp: {
          body: [
            'Hi {{firstName|there}},',
            `Following up on my note below.${diff ? ` ${diff}.` : ''}`,
            `If ${pain} is on your list this quarter, I can send over a short plan for ${company}, with no obligation.`,
            '{{senderName}}',
          ].join('\n\n'),
        },
        breakup: {
          subject: 'Should I close the loop?',
          body: [
            'Hi {{firstName|there}},',
            `I have reached out a few times about ${pain} and have not heard back, so I will assume the timing is not right and leave it here.`,
            `If that changes, reply to this email and I will send the plan for ${company} over.`,
            '{{senderName}}',
          ].join('\n\n'),
        },
      };
    case 'linkedin':
      return {
        channel: 'linkedin',
        connectionNote: fit(
          LINKEDIN_NOTE_MAX,
          `Hi {{firstName|there}}, I help ${audience} with ${serviceText}${proof ? ` (${lcFirst(proof)})` : ''}. Would be good to connect. {{senderName}}`,
          `Hi {{firstName|there}}, I help ${audience} with ${serviceText}. Would be good to connect. {{senderName}}`,
          `Hi {{firstName|there}}, I work with ${audience}. Would be good to connect. {{senderName}}`,
        ),
        inMail: {
          subject: `${pain[0].toUpperCase()}${pain.slice(1)}`.slice(0, 180),
          body: [
            'Hi {{firstName|there}},',
            `Thanks for connecting. I'm with {{agencyName}}: we help ${audience} with ${serviceText}.`,
            ...(proof ? [`For example: ${lcFirst(proof)}.`] : []),
            `Is ${pain} something you are working on at ${company}? If so, I would be glad to share what has worked for similar businesses.`,
            '{{senderName}}',
          ].join('\n\n'),
        },
      };
    case 'sms':
      return {
        channel: 'sms',
        text: fit(
          SMS_MAX,
          `${hello} We help ${audience} with ${serviceText}. Worth a quick chat? ${SMS_OPT_OUT}`,
          `${hello} We help ${audience} with ${firstService}. Worth a quick chat? ${SMS_OPT_OUT}`,
          `${hello} We help ${audience} grow. Worth a quick chat? ${SMS_OPT_OUT}`,
          `${hello} Worth a quick chat? ${SMS_OPT_OUT}`,
        ),
      };
    case 'voice':
      return {
        channel: 'voice',
        opener: `Hi {{firstName|there}}, it's {{senderName}} from {{agencyName}}. I emailed you last week about ${pain}. Have you got two minutes?`,
        talkingPoints: [
          `Why I am calling: ${audience} we speak to often mention ${pain}.`,
          `What we do: ${serviceText}.`,
          ...(valueProp ? [`In one line: ${valueProp}.`.slice(0, 240)] : []),
          ...(proof ? [`Proof: ${lcFirst(proof)}.`] : []),
          ...(diff ? [`What is different: ${diff}.`] : []),
          `Ask: how is ${company} finding new customers at the moment, and what is not working?`,
          'Close: offer a 15-minute call this week to walk through a plan; confirm the best email for the invite.',
        ].slice(0, 7),
        objections: [
          { objection: 'We already have an agency', response: `That is common. Most of our clients did too. Would a second opinion on ${pain} be useful, no obligation?` },
          { objection: 'No budget right now', response: 'Understood. The call is free, and the plan is yours to keep whether or not we work together.' },
          { objection: 'Just send me an email', response: 'Happy to. What would make it worth reading for you: results, pricing, or how we would approach it?' },
        ],
        voicemail: `Hi {{firstName|there}}, {{senderName}} from {{agencyName}}. I help ${audience} with ${serviceText}. I'll send a short email with details. Thanks.`,
      };
    case 'mail':
      return {
        channel: 'mail',
        letter: [
          'Dear {{firstName|there}},',
          `I am writing from {{agencyName}}. We work with ${audience}, and I wanted to share a few thoughts on ${pain}.`,
          valueProp ? `${valueProp}.` : `We help with ${serviceText}.`,
          ...(proof ? [`One result we are proud of: ${lcFirst(proof)}.`] : []),
          `If this is a priority for ${company} this year, I would welcome a short conversation. You can reply to my email or call me directly.`,
          'Kind regards,\n{{senderName}}\n{{agencyName}}',
        ].join('\n\n'),
      };
  }
}

export const messagingGenerator = defineSkill({
  slug: 'messaging-generator',
  name: 'Messaging generator',
  description:
    "Use after the sequence is built to write one channel's outreach copy: email (intro, threaded follow-up, break-up), LinkedIn (connection note ≤ 300 characters, InMail), SMS (≤ 160 characters with opt-out), voice (talking points) or direct mail.",
  tier: 'generation',
  input: MessagingInput,
  output: MessagingOutput,
  outputFor: (input) => SCHEMA_FOR[input.channel],
  maxTokens: 3000,
  systemPrompt:
    'You write B2B outreach copy for a marketing agency: plain, specific, short sentences, no hype, no emojis, no false claims. ' +
    'Use only these merge fields: {{firstName|fallback}}, {{lastName|fallback}}, {{title|fallback}}, {{companyName|fallback}}, ' +
    '{{companyIndustry|fallback}}, {{city|fallback}} (each needs a fallback after "|"), and {{senderName}}, {{agencyName}} (always filled). ' +
    'Refer to the audience with the exact audience phrase given and lead with the exact pain point given. Only quote proof points given. ' +
    `Limits once merge fields are filled: SMS ${SMS_MAX} characters including the opt-out "${SMS_OPT_OUT}"; LinkedIn connection note ${LINKEDIN_NOTE_MAX}. ` +
    'Email: the intro asks for a 15-minute call; the follow-up is a reply in the same thread (no subject); the break-up politely closes the loop.',
  buildPrompt: (input) =>
    [
      `Channel: ${input.channel}`,
      `Agency: ${input.agency.name}`,
      `Services: ${input.agency.services.join(', ')}`,
      `Value proposition: ${input.agency.valueProp}`,
      `Proof points: ${input.agency.proofPoints.join(' | ') || 'none'}`,
      `Differentiators: ${input.agency.differentiators.join(' | ') || 'none'}`,
      `Audience phrase: ${input.audience}`,
      `Lead pain point: ${input.painPoint}`,
      `ICP industries: ${input.icp.industries.join(', ')}; titles: ${input.icp.titles.join(', ')}; other pain points: ${input.icp.painPoints.join(' | ')}`,
    ].join('\n'),
  offline: composeOffline,
});

/** The copy as the content engine's per-touch-kind templates. */
export function touchTemplates(copies: MessagingOutput[]): Partial<Record<TouchKind, TouchTemplate>> {
  const out: Partial<Record<TouchKind, TouchTemplate>> = {};
  for (const c of copies) {
    switch (c.channel) {
      case 'email':
        out.email_intro = { subject: c.intro.subject, body: c.intro.body };
        out.email_followup = { subject: `Re: ${c.intro.subject}`, body: c.followUp.body };
        out.email_breakup = { subject: c.breakup.subject, body: c.breakup.body };
        break;
      case 'linkedin':
        out.linkedin_connect = { body: c.connectionNote };
        break;
      case 'sms':
        out.sms = { body: c.text };
        break;
      case 'voice':
        out.voice = {
          body: [c.opener, ...c.talkingPoints.map((p) => `- ${p}`), ...c.objections.map((o) => `- If "${o.objection}": ${o.response}`), `Voicemail: ${c.voicemail}`].join('\n'),
        };
        break;
      case 'mail':
        out.mail = { body: c.letter };
        break;
    }
  }
  return out;
}
