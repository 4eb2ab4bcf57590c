// A bounded tool-use loop: Claude may call the given tools (e.g. fetch_page) and ends by calling the
// final tool, whose input is the structured output (validated by its zod schema, as in
// callStructured). Bounded three ways: at most `maxTurns` Claude calls, at most `maxTotalTokens`
// input+output tokens over all of them (the last allowed call, or the first past the token budget,
// must call the final tool), and every tool result cut to `maxToolResultChars`. Each call
// is budget-checked first and recorded after, exactly like any other Claude call, so a loop's spend
// counts against the client's daily AI budget call by call (and stops at the budget mid-loop).
import { z } from 'zod';
import type { ClaudeContentBlock, ClaudeMessageParam, ClaudeTool, ModelTier } from '../../integrations/anthropic';
import { outputInvalid, requestFailure } from './errors';
import { assertWithinBudget, recordUsage } from './spend-limiter';
import { toolInputSchema, type AiCallContext, type AiDeps, type CallUsage } from './structured';

export interface LoopTool<I = unknown> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  /** The tool's answer as text for Claude; a thrown error is sent back as an error result. */
  run(input: I): Promise<string>;
}

export interface ToolLoopRequest<T> {
  tier: ModelTier;
  model?: string;
  system: string;
  prompt: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of tools with different inputs; each validates its own
  tools: Array<LoopTool<any>>;
  finalTool: { name: string; description: string; schema: z.ZodType<T> };
  /** Claude calls at most (default 6). */
  maxTurns?: number;
  /** Input + output tokens over all calls (default 150,000). */
  maxTotalTokens?: number;
  /** max_tokens of each call (default 8192). */
  maxTokens?: number;
  /** Characters of one tool result sent back (default 12,000). */
  maxToolResultChars?: number;
}

export interface ToolCallRecord {
  tool: string;
  input: unknown;
  ok: boolean;
  chars: number;
}

export interface ToolLoopResult<T> {
  output: T;
  turns: number;
  calls: CallUsage[];
  toolCalls: ToolCallRecord[];
  totalTokens: number;
  costUsd: number;
}

export const DEFAULT_MAX_TURNS = 6;
export const DEFAULT_MAX_TOTAL_TOKENS = 150_000;
export const DEFAULT_MAX_TOOL_RESULT_CHARS = 12_000;
const MAX_ERROR_CHARS = 1_500;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n[… cut at ${max} characters]` : text;
}

function parseInput(raw: unknown): unknown {
  // Some gateways hand tool input through as a JSON string.
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // Not JSON (SyntaxError): the schema check reports it.
    return raw;
  }
}

export async function runToolLoop<T>(deps: AiDeps, ctx: AiCallContext, req: ToolLoopRequest<T>): Promise<ToolLoopResult<T>> {
  const now = deps.now ?? (() => new Date());
  const model = req.model ?? deps.claude.models[req.tier];
  const maxTurns = Math.max(1, req.maxTurns ?? DEFAULT_MAX_TURNS);
  const maxTotalTokens = req.maxTotalTokens ?? DEFAULT_MAX_TOTAL_TOKENS;
  const maxResult = req.maxToolResultChars ?? DEFAULT_MAX_TOOL_RESULT_CHARS;
  const final: ClaudeTool = { name: req.finalTool.name, description: req.finalTool.description, inputSchema: toolInputSchema(req.finalTool.schema) };
  const byName = new Map(req.tools.map((t) => [t.name, t]));
  const tools: ClaudeTool[] = [...req.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: toolInputSchema(t.input) })), final];
  const messages: ClaudeMessageParam[] = [{ role: 'user', content: req.prompt }];
  const calls: CallUsage[] = [];
  const toolCalls: ToolCallRecord[] = [];
  let totalTokens = 0;
  let lastError = 'no answer';

  for (let turn = 1; turn <= maxTurns; turn++) {
    // The last turn, or the token budget spent: the final tool must be called.
    const mustFinish = turn === maxTurns || totalTokens >= maxTotalTokens;
    await assertWithinBudget(deps.db, ctx.clientId, now());
    let res;
    try {
      res = await deps.claude.createMessage({
        model,
        system: req.system,
        messages,
        maxTokens: req.maxTokens ?? 8192,
        // Every tool stays defined (earlier turns' tool_use blocks name them); the choice forces one.
        tools,
        toolChoice: mustFinish ? { type: 'tool' as const, name: final.name } : { type: 'any' as const },
      });
    } catch (err) {
      throw requestFailure(err);
    }
    const usedModel = res.model || model;
    const costUsd = deps.prices.costUsd(usedModel, res.usage.inputTokens, res.usage.outputTokens);
    calls.push({ model: usedModel, inputTokens: res.usage.inputTokens, outputTokens: res.usage.outputTokens, costUsd });
    totalTokens += res.usage.inputTokens + res.usage.outputTokens;
    await recordUsage(deps.db, { ...ctx, model: usedModel, inputTokens: res.usage.inputTokens, outputTokens: res.usage.outputTokens, costUsd }, now());

    const uses = res.content.filter((b): b is Extract<ClaudeContentBlock, { type: 'tool_use' }> => b.type === 'tool_use');
    const finish = uses.find((u) => u.name === final.name);
    if (finish) {
      const parsed = req.finalTool.schema.safeParse(parseInput(finish.input));
      if (parsed.success) {
        return { output: parsed.data, turns: turn, calls, toolCalls, totalTokens, costUsd: calls.reduce((s, c) => s + c.costUsd, 0) };
      }
      const text = z.prettifyError(parsed.error);
      lastError = cut(text, MAX_ERROR_CHARS);
    } else if (uses.length === 0) {
      lastError = `the reply called no tool${res.stopReason === 'max_tokens' ? ' (cut off at the token limit)' : ''}`;
    }

    // Every tool_use block gets its tool_result in the next user turn.
    messages.push({ role: 'assistant', content: res.content.length ? res.content : [{ type: 'text', text: '(empty reply)' }] });
    const results = [];
    for (const use of uses) {
      if (use.name === final.name) {
        results.push({
          type: 'tool_result' as const,
          tool_use_id: use.id,
          is_error: true,
          content: `Your ${final.name} input was rejected: ${lastError}\nCall ${final.name} again with input that satisfies the schema.`,
        });
        continue;
      }
      const tool = byName.get(use.name);
      const input = tool?.input.safeParse(parseInput(use.input));
      let content: string;
      let ok = false;
      if (!tool) content = `There is no tool ${use.name}.`;
      else if (!input?.success) content = `Invalid input for ${use.name}: ${cut(z.prettifyError(input!.error), MAX_ERROR_CHARS)}`;
      else {
        try {
          content = cut(await tool.run(input.data), maxResult);
          ok = true;
        } catch (err) {
          content = `${use.name} failed: ${cut(err instanceof Error ? err.message : String(err), MAX_ERROR_CHARS)}`;
        }
      }
      toolCalls.push({ tool: use.name, input: use.input, ok, chars: content.length });
      results.push({ type: 'tool_result' as const, tool_use_id: use.id, is_error: !ok, content });
    }
    messages.push(
      results.length
        ? { role: 'user', content: results }
        : { role: 'user', content: `Call a tool: one of the research tools, or ${final.name} with the finished deliverable.` },
    );
  }
  throw outputInvalid(final.name, maxTurns, `no valid ${final.name} call within ${maxTurns} turns (${totalTokens} tokens): ${lastError}`);
}
