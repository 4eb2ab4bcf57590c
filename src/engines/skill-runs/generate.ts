// One skill run's content: skill + rules + resources + the client's context documents → Claude →
// an `outputs` row. Idempotent per run: a retried activity finds the saved output and does not
// call Claude again.
import { z } from 'zod';
import type { Db, Output } from '../../db/client';
import { callStructured, type AiDeps } from '../ai/structured';
import { runToolLoop } from '../ai/tool-loop';
import type { SiteCrawler } from '../icp-scraper';
import { listContextDocuments } from './context-docs';
import { aiNotConfigured, runInvalid } from './errors';
import { buildSkillPrompt, OUTPUT_TOOL } from './prompt';
import { findRunnableSkill } from './skill-store';
import { toolsForSkill } from './web-tools';

export const GeneratedOutput = z.object({
  title: z.string().trim().min(1).max(200).describe('a short title for the deliverable, e.g. "Homepage copy for Yaz Automate"'),
  markdown: z.string().min(20).describe('the complete deliverable as markdown'),
});

export interface GenerateResult {
  outputId: string;
  title: string;
  /** Whether this call made it (false: an earlier attempt had already saved it). */
  created: boolean;
  contextDocuments: string[];
  /** Tool calls Claude made (fetch_page), in order. */
  toolCalls: Array<{ tool: string; ok: boolean }>;
}

export interface GenerateOptions {
  workflowId?: string;
  /** What fetch_page reads pages with (skills that declare it); null: the skill runs without the tool. */
  crawler?: SiteCrawler | null;
  /** Bounds of the tool loop (tests lower them). */
  maxTurns?: number;
  maxTotalTokens?: number;
}

/**
 * A skill that declares tools (front-matter `tools: [fetch_page]`) runs a bounded tool-use loop
 * (engines/ai/tool-loop.ts); the others make one structured call. Either way every Claude call is
 * budget-checked and recorded on the run. Idempotent per run through the saved output: a retried
 * attempt that finds it returns it; an attempt that died mid-loop starts the loop again (its calls
 * so far stay recorded and counted).
 */
export async function generateRunOutput(db: Db, ai: AiDeps | null, runId: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const workflowId = opts.workflowId;
  const saved = await db.output.findUnique({ where: { runId } });
  if (saved) return { outputId: saved.id, title: saved.title, created: false, contextDocuments: [], toolCalls: [] };
  if (!ai) throw aiNotConfigured();

  const run = await db.skillRun.findUnique({ where: { id: runId }, include: { client: { select: { name: true, deletedAt: true } } } });
  if (!run) throw runInvalid(`skill run ${runId} does not exist`);
  if (run.client.deletedAt) throw runInvalid(`client ${run.clientId} was deleted`);
  // The version recorded when the run was requested (an edit since does not change this run); runs
  // from before versions were recorded read the skill's current text.
  const skill = run.skillVersionId
    ? await db.skillVersion.findUnique({ where: { id: run.skillVersionId } })
    : await findRunnableSkill(db, run.clientId, run.skillSlug);
  if (!skill) throw runInvalid(`skill ${run.skillSlug} no longer exists`);
  const docs = await listContextDocuments(db, run.clientId);
  // Counted before the call, so attempts that fail (rate limits, outages) show on the run too.
  await db.skillRun.update({ where: { id: runId }, data: { attempts: { increment: 1 } } });

  // The tools this process can give the skill (fetch_page needs a crawler); the prompt mentions only those.
  const tools = toolsForSkill(skill.tools, { crawler: opts.crawler ?? null });
  const built = buildSkillPrompt({
    skill: { slug: run.skillSlug, name: skill.name, content: skill.content, rules: skill.rules, files: (skill.files ?? {}) as Record<string, string> },
    clientName: run.client.name,
    docs,
    request: run.message,
    tools: tools.map((t) => t.name),
  });
  const ctx = { clientId: run.clientId, purpose: 'skill-run', skillSlug: run.skillSlug, workflowId, runId };
  let output: z.infer<typeof GeneratedOutput>;
  let toolCalls: GenerateResult['toolCalls'] = [];
  if (tools.length > 0) {
    const result = await runToolLoop(ai, ctx, {
      tier: 'generation',
      system: built.system,
      prompt: built.prompt,
      tools,
      finalTool: { name: OUTPUT_TOOL, description: 'Save the finished deliverable.', schema: GeneratedOutput },
      maxTokens: 8192,
      maxTurns: opts.maxTurns,
      maxTotalTokens: opts.maxTotalTokens,
    });
    output = result.output;
    toolCalls = result.toolCalls.map((c) => ({ tool: c.tool, ok: c.ok }));
  } else {
    ({ output } = await callStructured(ai, ctx, {
      tier: 'generation',
      system: built.system,
      prompt: built.prompt,
      toolName: OUTPUT_TOOL,
      toolDescription: 'Save the finished deliverable.',
      schema: GeneratedOutput,
      maxTokens: 8192,
      maxAttempts: 2,
    }));
  }
  const row = await saveOutput(db, { runId, clientId: run.clientId, skillSlug: run.skillSlug, title: output.title, content: output.markdown });
  return { outputId: row.id, title: row.title, created: true, contextDocuments: built.included, toolCalls };
}

async function saveOutput(db: Db, o: { runId: string; clientId: string; skillSlug: string; title: string; content: string }): Promise<Output> {
  try {
    return await db.output.create({ data: o });
  } catch (err) {
    // A concurrent attempt saved first: keep its row.
    if ((err as { code?: string }).code === 'P2002') return db.output.findUniqueOrThrow({ where: { runId: o.runId } });
    throw err;
  }
}
