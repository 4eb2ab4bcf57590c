// sequence-builder: the "Growth Engine" six-touch sequence (day 0 email, day 2 LinkedIn connection,
// day 4 threaded email follow-up, day 7 SMS, day 10 voice, day 14 direct mail or a threaded break-up
// email), with its timing adapted to the industry. The plan data, its schema and the industry
// timing rule come from src/engines/sequence-plan.ts.
// Offline: adjustForIndustry(GROWTH_ENGINE, primary industry) — tighter gaps for technology buyers,
// wider for regulated/healthcare ones.
import { z } from 'zod';
import { adjustForIndustry, GROWTH_ENGINE, industryTimingFactor, SequenceDefinitionSchema } from '../../sequence-plan';
import { defineSkill } from '../skill';

export const SequenceBuilderInput = z.object({
  industries: z.array(z.string()).min(1),
  primaryIndustry: z.string().nullable(),
  audience: z.string(),
});

/** The six Growth Engine touches, in order: channel/kind of each (touch 6 is mail with a break-up email fallback, or the break-up email). */
const SHAPE: Array<Array<[string, string]>> = [
  [['email', 'email_intro']],
  [['linkedin', 'linkedin_connect']],
  [['email', 'email_followup']],
  [['sms', 'sms']],
  [['voice', 'voice']],
  [['mail', 'mail'], ['email', 'email_breakup']],
];

export const SequenceBuilderOutput = z.object({
  sequence: SequenceDefinitionSchema.superRefine((plan, ctx) => {
    if (plan.touches.length !== 6) {
      ctx.addIssue({ code: 'custom', message: 'the Growth Engine has exactly six touches', path: ['touches'] });
      return;
    }
    plan.touches.forEach((t, i) => {
      if (!SHAPE[i].some(([c, k]) => c === t.channel && k === t.kind)) {
        ctx.addIssue({ code: 'custom', message: `touch ${i + 1} must be ${SHAPE[i].map(([c, k]) => `${c}/${k}`).join(' or ')}`, path: ['touches', i] });
      }
    });
    if (plan.touches[0]?.day !== 0) ctx.addIssue({ code: 'custom', message: 'the first touch is on day 0', path: ['touches', 0, 'day'] });
  }),
  timingFactor: z.number().min(0.5).max(2),
  rationale: z.string().max(500),
});
export type SequenceBuilderOutput = z.infer<typeof SequenceBuilderOutput>;

export const sequenceBuilder = defineSkill({
  slug: 'sequence-builder',
  name: 'Sequence builder',
  description:
    'Use first in campaign generation to lay out the six-touch Growth Engine outreach sequence (email, LinkedIn, threaded follow-up, SMS, call, mail or break-up email) with timing adapted to the ICP industry.',
  tier: 'generation',
  input: SequenceBuilderInput,
  output: SequenceBuilderOutput,
  maxTokens: 2048,
  systemPrompt:
    'You design B2B outreach timing. Keep the Growth Engine structure exactly: 1 email_intro (day 0), 2 linkedin_connect, 3 email_followup ' +
    'threaded with touch 1 (threadWith: 1), 4 sms, 5 voice, 6 mail with fallback {channel: email, kind: email_breakup, threadWith: 1}. ' +
    'Days are business days after enrolment, never decreasing. Adapt the gaps to the industry: fast-moving buyers (software, startups) ' +
    'tighter, regulated or busy professionals (healthcare, legal, finance) wider. timingFactor is the overall stretch you applied (1 = default).',
  buildPrompt: (input) =>
    `Industries: ${input.industries.join(', ')}\nPrimary industry: ${input.primaryIndustry ?? 'none'}\nAudience: ${input.audience}\n\n` +
    `Default Growth Engine:\n${JSON.stringify(GROWTH_ENGINE, null, 1)}`,
  offline(input) {
    const factor = industryTimingFactor(input.primaryIndustry);
    const sequence = adjustForIndustry(GROWTH_ENGINE, input.primaryIndustry);
    const rationale =
      factor === 1
        ? `Default Growth Engine timing (days ${sequence.touches.map((t) => t.day).join(', ')}): no industry adjustment applies to ${input.primaryIndustry ?? 'this ICP'}.`
        : `${input.primaryIndustry} buyers ${factor > 1 ? 'need more room between touches' : 'move quickly'}: gaps ×${factor} (days ${sequence.touches.map((t) => t.day).join(', ')}).`;
    // A deep copy: GROWTH_ENGINE is frozen.
    return { sequence: JSON.parse(JSON.stringify(sequence)) as SequenceBuilderOutput['sequence'], timingFactor: factor, rationale };
  },
});
