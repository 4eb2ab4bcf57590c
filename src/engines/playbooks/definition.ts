// What a playbook is, checked in one place for the folder sync and the API: an ordered list of steps,
// each a skill, an instruction and the earlier outputs it reads. Consecutive steps naming the same
// `parallel` group run at once (a stage); a step with a `checkpoint` waits for a human's decision
// once its stage is done. Pure: no database, so the rules are unit-tested on their own.
// Instead of a skill, a step may name a built-in action, run as an activity on the run's target
// skill (the skill-improvement playbook): `propose-rules` asks Claude for a revised RULES.md from the
// skill's feedback; `publish-rules` publishes the proposal its checkpoint approved as the skill's next
// version. Steps without `action` keep the shape they always had (so their hash does not change).
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const PLAYBOOK_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const STEP_KEY = /^[a-z][a-z0-9-]{0,39}$/;
const SKILL_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_STEPS = 20;
export const PLAYBOOK_ACTIONS = ['propose-rules', 'publish-rules'] as const;
export type PlaybookAction = (typeof PLAYBOOK_ACTIONS)[number];

export const PlaybookStepDefinition = z
  .object({
    key: z.string().regex(STEP_KEY, 'must be a step key: lower-case letters, digits and dashes, starting with a letter'),
    /** The skill that runs the step; absent for an action step. */
    skill: z.string().regex(SKILL_SLUG, 'must be a skill slug').optional(),
    /** A built-in action on the run's target skill instead of a skill run. */
    action: z.enum(PLAYBOOK_ACTIONS).optional(),
    instruction: z.string().trim().min(1).max(8000),
    /** Keys of earlier steps whose outputs this step reads. */
    inputs: z.array(z.string().regex(STEP_KEY)).max(MAX_STEPS).default([]),
    /** Steps with the same group name, next to each other, run concurrently. */
    parallel: z.string().regex(STEP_KEY).nullable().default(null),
    /** The question a human answers once this step is done, e.g. "Approve the spec before the copy is written". */
    checkpoint: z.string().trim().min(1).max(500).nullable().default(null),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.skill === undefined) === (s.action === undefined))
      ctx.addIssue({ code: 'custom', path: ['skill'], message: 'a step names either a skill or an action' });
  });
export type PlaybookStepDefinition = z.infer<typeof PlaybookStepDefinition>;

/** Whether runs of the playbook act on a target skill (and so are started for one). */
export const needsTargetSkill = (steps: readonly Pick<PlaybookStepDefinition, 'action'>[]) => steps.some((s) => s.action !== undefined);

export const PlaybookDefinition = z
  .object({
    slug: z.string().regex(PLAYBOOK_SLUG, 'must be a playbook slug'),
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().min(1).max(1000),
    steps: z.array(PlaybookStepDefinition).min(1).max(MAX_STEPS),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const problem of structureProblems(p.steps)) ctx.addIssue({ code: 'custom', path: ['steps', ...problem.path], message: problem.message });
  });
export type PlaybookDefinition = z.infer<typeof PlaybookDefinition>;

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Keys unique; inputs name steps of an earlier stage; a parallel group is one run of neighbours. */
export function structureProblems(steps: readonly PlaybookStepDefinition[]): Problem[] {
  const problems: Problem[] = [];
  const stageOf = new Map<string, number>();
  const closedGroups = new Set<string>();
  stages(steps).forEach((stage, s) => {
    for (const i of stage) {
      const step = steps[i];
      if (stageOf.has(step.key)) problems.push({ path: [i, 'key'], message: `step key ${step.key} is used twice` });
      stageOf.set(step.key, s);
    }
    const group = steps[stage[0]].parallel;
    if (group) {
      if (closedGroups.has(group)) problems.push({ path: [stage[0], 'parallel'], message: `parallel group ${group} must be one run of neighbouring steps` });
      closedGroups.add(group);
    }
  });
  steps.forEach((step, i) => {
    // Publishing needs a human's approval of exactly one proposal.
    if (step.action === 'publish-rules') {
      const from = steps.find((s) => s.key === step.inputs[0]);
      if (step.inputs.length !== 1 || from?.action !== 'propose-rules' || !from.checkpoint)
        problems.push({ path: [i, 'inputs'], message: 'publish-rules reads exactly one propose-rules step that has a checkpoint' });
    }
    step.inputs.forEach((input, j) => {
      const s = stageOf.get(input);
      if (s === undefined) problems.push({ path: [i, 'inputs', j], message: `no step ${input}` });
      else if (s >= (stageOf.get(step.key) ?? 0)) problems.push({ path: [i, 'inputs', j], message: `step ${input} does not finish before ${step.key} starts` });
    });
  });
  return problems;
}

/** Indexes of the steps, grouped into stages: one step, or neighbouring steps of one parallel group. */
export function stages(steps: readonly Pick<PlaybookStepDefinition, 'parallel'>[]): number[][] {
  const out: number[][] = [];
  steps.forEach((step, i) => {
    const last = out.at(-1);
    if (last && step.parallel && steps[last[0]].parallel === step.parallel) last.push(i);
    else out.push([i]);
  });
  return out;
}

/** A stable hash of the definition: the folder sync compares it to see what changed. */
export function definitionHash(p: PlaybookDefinition): string {
  return createHash('sha256')
    .update(JSON.stringify({ name: p.name, description: p.description, steps: p.steps }))
    .digest('hex');
}

export class PlaybookFileError extends Error {
  constructor(file: string, problem: string) {
    super(`playbook ${file}: ${problem}`);
    this.name = 'PlaybookFileError';
  }
}

/**
 * A playbook file: front-matter (`name`, `description`), then one `## <step key>` section per step
 * in order. A section opens with `skill:` (or `action:`), optional `inputs: [a, b]`, `parallel: <group>` and
 * `checkpoint: <question>` lines; the rest of the section is the step's instruction.
 */
export function parsePlaybookMarkdown(slug: string, text: string): PlaybookDefinition {
  const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!fm) throw new PlaybookFileError(slug, 'no front-matter');
  const meta = keyValues(fm[1]);
  const body = text.slice(fm[0].length);
  const sections = body.split(/^##\s+/m).slice(1);
  if (sections.length === 0) throw new PlaybookFileError(slug, 'no `## <step>` sections');
  const steps = sections.map((section) => {
    const [heading, ...rest] = section.split(/\r?\n/);
    const lines = [...rest];
    const fields: Record<string, string> = {};
    while (lines.length && (lines[0].trim() === '' || /^[a-z]+:\s/.test(lines[0]))) {
      const line = lines.shift()!;
      const kv = /^([a-z]+):\s*(.*)$/.exec(line);
      if (kv) fields[kv[1]] = kv[2].trim();
    }
    const unknown = Object.keys(fields).filter((k) => !['skill', 'action', 'inputs', 'parallel', 'checkpoint'].includes(k));
    if (unknown.length) throw new PlaybookFileError(slug, `step ${heading.trim()}: unknown fields ${unknown.join(', ')}`);
    return {
      key: heading.trim(),
      ...(fields.action ? { action: fields.action } : { skill: fields.skill ?? '' }),
      instruction: lines.join('\n').trim(),
      inputs: fields.inputs
        ? fields.inputs
            .replace(/^\[|\]$/g, '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
      parallel: fields.parallel || null,
      checkpoint: fields.checkpoint || null,
    };
  });
  const parsed = PlaybookDefinition.safeParse({ slug, name: meta.name, description: meta.description, steps });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlaybookFileError(slug, `${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function keyValues(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const kv = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line.trim());
    if (kv) out[kv[1]] = kv[2].trim().replace(/^["']|["']$/g, '');
  }
  return out;
}

/** The file form of a definition (what parsePlaybookMarkdown reads back). */
export function playbookMarkdown(p: PlaybookDefinition): string {
  const sections = p.steps.map((s) => {
    const head = [`## ${s.key}`, s.action ? `action: ${s.action}` : `skill: ${s.skill}`];
    if (s.inputs.length) head.push(`inputs: [${s.inputs.join(', ')}]`);
    if (s.parallel) head.push(`parallel: ${s.parallel}`);
    if (s.checkpoint) head.push(`checkpoint: ${s.checkpoint}`);
    return `${head.join('\n')}\n\n${s.instruction}\n`;
  });
  return `---\nname: ${p.name}\ndescription: ${p.description}\n---\n\n${sections.join('\n')}`;
}
