// Structured output from Claude through tool use: the tool's input_schema is generated from a zod
// schema (z.toJSONSchema) and Claude's tool input is validated by the same schema. An invalid answer
// is sent back as an error tool_result and retried a bounded number of times, then fails with the
// validation error. Every API call is budget-checked first and its usage recorded after.
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { ClaudeClient, ClaudeContentBlock, ClaudeMessageParam, ModelTier, PriceTable } from '../../integrations/anthropic';
import { outputInvalid, requestFailure } from './errors';
import { assertWithinBudget, recordUsage } from './spend-limiter';

export interface AiDeps {
  db: Db;
  claude: ClaudeClient;
  prices: PriceTable;
  now?: () => Date;
}

/** Who the call is for and why: recorded on every ai_usage row. */
export interface AiCallContext {
  clientId: string;
  purpose: string;
  skillSlug?: string;
  workflowId?: string;
  runId?: string;
}

export interface StructuredRequest<T> {
  tier: ModelTier;
  /** Overrides the tier's model. */
  model?: string;
  system: string;
  prompt: string;
  toolName: string;
  toolDescription: string;
  schema: z.ZodType<T>;
  maxTokens?: number;
  temperature?: number;
  /** Total attempts including the first (default 3: the first and two corrections). */
  maxAttempts?: number;
}

export interface CallUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface StructuredResult<T> {
  output: T;
  attempts: number;
  calls: CallUsage[];
  costUsd: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
const MAX_ERROR_CHARS = 1_500;

/** The tool input_schema for a zod schema (JSON Schema, object at the top level). */
export function toolInputSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  if (json.type !== 'object') throw new Error('a tool input schema must be a zod object');
  return json;
}

type Extracted = { ok: true; value: unknown } | { ok: false; error: string };

function extractToolInput(content: ClaudeContentBlock[], toolName: string): Extracted {
  const use = content.find((b) => b.type === 'tool_use' && b.name === toolName);
  if (use && use.type === 'tool_use') {
    // Some gateways hand tool input through as a JSON string.
    if (typeof use.input === 'string') {
      try {
        return { ok: true, value: JSON.parse(use.input) as unknown };
      } catch (err) {
        return { ok: false, error: `the tool input is not valid JSON (${(err as Error).message})` };
      }
    }
    return { ok: true, value: use.input };
  }
  return { ok: false, error: `the reply did not call the ${toolName} tool` };
}

function describeZodError(err: z.ZodError): string {
  const text = z.prettifyError(err);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

export async function callStructured<T>(deps: AiDeps, ctx: AiCallContext, req: StructuredRequest<T>): Promise<StructuredResult<T>> {
  const now = deps.now ?? (() => new Date());
  const model = req.model ?? deps.claude.models[req.tier];
  const maxAttempts = Math.max(1, req.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const tool = { name: req.toolName, description: req.toolDescription, inputSchema: toolInputSchema(req.schema) };
  const messages: ClaudeMessageParam[] = [{ role: 'user', content: req.prompt }];
  const calls: CallUsage[] = [];
  let lastError = '';

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await assertWithinBudget(deps.db, ctx.clientId, now());
    let res;
    try {
      res = await deps.claude.createMessage({
        model,
        system: req.system,
        messages,
        maxTokens: req.maxTokens ?? 4096,
        temperature: req.temperature,
        tool,
      });
    } catch (err) {
      throw requestFailure(err);
    }
    const usedModel = res.model || model;
    const costUsd = deps.prices.costUsd(usedModel, res.usage.inputTokens, res.usage.outputTokens);
    calls.push({ model: usedModel, inputTokens: res.usage.inputTokens, outputTokens: res.usage.outputTokens, costUsd });
    await recordUsage(deps.db, { ...ctx, model: usedModel, inputTokens: res.usage.inputTokens, outputTokens: res.usage.outputTokens, costUsd }, now());

    const extracted = extractToolInput(res.content, req.toolName);
    if (extracted.ok) {
      const parsed = req.schema.safeParse(extracted.value);
      if (parsed.success) {
        return { output: parsed.data, attempts: attempt, calls, costUsd: calls.reduce((s, c) => s + c.costUsd, 0) };
      }
      lastError = describeZodError(parsed.error);
    } else {
      lastError = extracted.error;
    }
    if (res.stopReason === 'max_tokens') lastError += ' (the reply was cut off at the token limit: be more concise)';

    // Feed the problem back and ask again.
    messages.push({ role: 'assistant', content: res.content.length ? res.content : [{ type: 'text', text: '(empty reply)' }] });
    const feedback = `Your ${req.toolName} input was rejected: ${lastError}\nCall ${req.toolName} again with input that satisfies the schema.`;
    // Every tool_use block needs its tool_result in the next user turn.
    const uses = res.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    messages.push(
      uses.length
        ? { role: 'user', content: uses.map((id) => ({ type: 'tool_result' as const, tool_use_id: id, is_error: true, content: feedback })) }
        : { role: 'user', content: feedback },
    );
  }
  throw outputInvalid(req.toolName, maxAttempts, lastError);
}
