// A skill: a focused capability with a slug, a description of when to use it, zod input and
// output, a system prompt for Claude, and `execute`. With Claude configured, execute asks Claude for
// the output through a forced tool call (validated by the output schema, retried when invalid);
// without it, execute runs the skill's deterministic offline implementation (heuristics over the
// input text) and validates that output with the same schema. Either way the caller gets
// schema-valid output and which mode produced it.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ModelTier } from '../../integrations/anthropic';
import { callStructured, type AiDeps } from '../ai/structured';

export const SKILL_INPUT_INVALID = 'SkillInputInvalid';
export const SKILL_OUTPUT_INVALID = 'SkillOutputInvalid';

export interface SkillContext {
  clientId: string;
  workflowId?: string;
  runId?: string;
  /** Claude and the spend limiter; null runs the offline implementation. */
  ai: AiDeps | null;
}

export interface SkillResult<O> {
  output: O;
  mode: 'ai' | 'offline';
  attempts: number;
  costUsd: number;
}

export interface SkillSpec<I, O> {
  slug: string;
  name: string;
  /** When to use it (also the tool description Claude sees). */
  description: string;
  tier: ModelTier;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  systemPrompt: string;
  /** The user message for Claude. */
  buildPrompt(input: I): string;
  /** Deterministic implementation used without Claude. */
  offline(input: I): O;
  /** A narrower schema for this input (e.g. one channel's copy); defaults to `output`. */
  outputFor?(input: I): z.ZodType<O>;
  /** Deterministic clean-up applied to either mode's output before the final validation. */
  postProcess?(output: O, input: I): O;
  maxTokens?: number;
}

export interface Skill<I, O> extends SkillSpec<I, O> {
  execute(input: unknown, ctx: SkillContext): Promise<SkillResult<O>>;
}

/** Tool names allow [a-zA-Z0-9_-]{1,64}. */
export const toolNameFor = (slug: string) => `submit_${slug.replace(/[^a-zA-Z0-9]+/g, '_')}`.slice(0, 64);

export function defineSkill<I, O>(spec: SkillSpec<I, O>): Skill<I, O> {
  return {
    ...spec,
    async execute(rawInput, ctx) {
      const parsedInput = spec.input.safeParse(rawInput);
      if (!parsedInput.success) {
        throw ApplicationFailure.create({
          type: SKILL_INPUT_INVALID,
          nonRetryable: true,
          message: `${spec.slug}: input is invalid: ${z.prettifyError(parsedInput.error)}`,
        });
      }
      const input = parsedInput.data;
      const schema = spec.outputFor?.(input) ?? spec.output;
      let output: O;
      let mode: SkillResult<O>['mode'];
      let attempts = 1;
      let costUsd = 0;
      if (ctx.ai) {
        const res = await callStructured(
          ctx.ai,
          { clientId: ctx.clientId, purpose: 'skill', skillSlug: spec.slug, workflowId: ctx.workflowId, runId: ctx.runId },
          {
            tier: spec.tier,
            system: spec.systemPrompt,
            prompt: spec.buildPrompt(input),
            toolName: toolNameFor(spec.slug),
            toolDescription: spec.description,
            schema,
            maxTokens: spec.maxTokens,
          },
        );
        output = res.output;
        mode = 'ai';
        attempts = res.attempts;
        costUsd = res.costUsd;
      } else {
        output = spec.offline(input);
        mode = 'offline';
      }
      if (spec.postProcess) output = spec.postProcess(output, input);
      const checked = schema.safeParse(output);
      if (!checked.success) {
        // Claude's answer passed validation before postProcess, so this is a bug in our own code.
        throw ApplicationFailure.create({
          type: SKILL_OUTPUT_INVALID,
          nonRetryable: true,
          message: `${spec.slug}: ${mode} output failed validation: ${z.prettifyError(checked.error)}`,
        });
      }
      return { output: checked.data, mode, attempts, costUsd };
    },
  };
}

/** Page text for prompts: each page under a header, cut to fit a character budget. */
export function pagesForPrompt(pages: Array<{ url: string; title?: string | null; text: string }>, budget = 60_000): string {
  const per = Math.max(2_000, Math.floor(budget / Math.max(1, pages.length)));
  return pages.map((p) => `=== PAGE ${p.url}${p.title ? ` — ${p.title}` : ''}\n${p.text.slice(0, per)}`).join('\n\n');
}
