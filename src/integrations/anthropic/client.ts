// Claude through the official SDK. One narrow call (`createMessage`) that the AI engine builds on.
// The SDK's own retries are off (maxRetries: 0): a 429/5xx surfaces at once as a retryable
// ClaudeRequestError so Temporal's activity retry policy, not a hidden loop, decides when to retry.
import Anthropic from '@anthropic-ai/sdk';
import type { ModelSettings } from './models';

export type ClaudeMessageParam = Anthropic.MessageParam;
export type ClaudeContentBlock = Anthropic.ContentBlock;

export interface ClaudeTool {
  name: string;
  description: string;
  /** JSON Schema of the tool's input (type: object). */
  inputSchema: Record<string, unknown>;
}

export interface ClaudeRequest {
  model: string;
  system: string;
  messages: ClaudeMessageParam[];
  maxTokens: number;
  temperature?: number;
  /** When given, Claude is made to answer by calling this tool (structured output). */
  tool?: ClaudeTool;
  /** Tools Claude may call (a tool-use loop); ignored when `tool` is given. */
  tools?: ClaudeTool[];
  /** With `tools`: `auto` (may answer in text), `any` (must call one of them) or one tool by name. */
  toolChoice?: { type: 'auto' } | { type: 'any' } | { type: 'tool'; name: string };
}

export interface ClaudeUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ClaudeResponse {
  id: string;
  /** The model that answered (as the API reports it). */
  model: string;
  content: ClaudeContentBlock[];
  stopReason: string | null;
  usage: ClaudeUsage;
}

/** A failed request. `retryable` says whether trying again later can help (429, 5xx, network). */
export class ClaudeRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    /** From the Retry-After header, when the API sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ClaudeRequestError';
  }
}

export interface ClaudeClient {
  readonly models: ModelSettings;
  createMessage(req: ClaudeRequest): Promise<ClaudeResponse>;
}

export interface ClaudeSettings {
  apiKey: string;
  baseURL?: string;
  models: ModelSettings;
  /** Per request; the activity's start-to-close timeout must be longer. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 90_000;

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const s = headers?.get('retry-after');
  if (!s) return undefined;
  if (Number.isFinite(Number(s))) return Math.max(0, Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** 408/409/429 and 5xx are transient (as the SDK itself would treat them); other 4xx are not. */
export function toClaudeRequestError(err: unknown): ClaudeRequestError {
  if (err instanceof ClaudeRequestError) return err;
  if (err instanceof Anthropic.APIConnectionError) {
    return new ClaudeRequestError(`Claude API unreachable: ${err.message}`, undefined, true);
  }
  if (err instanceof Anthropic.APIError) {
    const status = err.status;
    const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    const detail = err.apiMessage ?? err.message;
    return new ClaudeRequestError(`Claude API ${status ?? 'error'}: ${detail}`, status, retryable, retryAfterMs(err.headers));
  }
  // The SDK failed to read the response (e.g. a body that is not JSON): transient on the wire.
  const message = err instanceof Error ? err.message : String(err);
  return new ClaudeRequestError(`Claude API call failed: ${message}`, undefined, true);
}

export function createClaudeClient(settings: ClaudeSettings): ClaudeClient {
  const sdk = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    maxRetries: 0,
    timeout: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  return {
    models: settings.models,
    async createMessage(req) {
      let msg: Anthropic.Message;
      try {
        msg = await sdk.messages.create({
          model: req.model,
          max_tokens: req.maxTokens,
          system: req.system,
          messages: req.messages,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          ...(req.tool
            ? {
                tools: [
                  {
                    name: req.tool.name,
                    description: req.tool.description,
                    input_schema: req.tool.inputSchema as Anthropic.Tool.InputSchema,
                  },
                ],
                tool_choice: { type: 'tool' as const, name: req.tool.name },
              }
            : req.tools?.length
              ? {
                  tools: req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema as Anthropic.Tool.InputSchema })),
                  tool_choice: req.toolChoice ?? { type: 'auto' as const },
                }
              : {}),
        });
      } catch (err) {
        throw toClaudeRequestError(err);
      }
      const u = msg.usage;
      return {
        id: msg.id,
        model: msg.model,
        content: msg.content,
        stopReason: msg.stop_reason ?? null,
        usage: {
          // Cache reads/writes count as input here (this service sets no cache_control, so they are 0).
          inputTokens: (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0),
          outputTokens: u?.output_tokens ?? 0,
        },
      };
    },
  };
}
