// A local stand-in for the Anthropic Messages API (node:http on 127.0.0.1, port 0), driven through
// the real @anthropic-ai/sdk by pointing ANTHROPIC_BASE_URL at it. Replies are queued (tool-use
// answers, text, invalid JSON, HTTP errors with Retry-After) or produced by a responder function
// (e.g. canned answers per tool name); every request is recorded with its parsed body. Tool-use
// loops are scripted with `uses` replies (one or more tool_use blocks, optionally after text): the
// loop's next request then carries the tool results, readable with `toolResults(req)`.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
}

export type FakeReply =
  /** A tool_use answer; `tool` defaults to the tool the request forced. `input` may be a string (sent as-is). */
  | { kind: 'tool'; input: unknown; tool?: string; usage?: FakeUsage; stopReason?: string }
  | { kind: 'text'; text: string; usage?: FakeUsage }
  /** A turn of a tool-use loop: these tool_use blocks (ids toolu_fake_<n>_<i>), after `text` if given. */
  | { kind: 'uses'; uses: Array<{ name: string; input: unknown }>; text?: string; usage?: FakeUsage }
  /** An API error, e.g. 429 with retry-after, 500, 400. */
  | { kind: 'error'; status: number; errorType?: string; message?: string; retryAfter?: number }
  /** A 200 whose body is this text verbatim (e.g. broken JSON). */
  | { kind: 'raw'; status?: number; body: string; contentType?: string };

export interface FakeMessagesRequest {
  headers: IncomingHttpHeaders;
  body: {
    model: string;
    max_tokens: number;
    system?: string;
    messages: Array<{ role: string; content: unknown }>;
    tools?: Array<{ name: string; description: string; input_schema: Record<string, unknown> }>;
    tool_choice?: { type: string; name?: string };
  };
  /** The forced tool's name, if any. */
  tool?: string;
}

export type Responder = (req: FakeMessagesRequest) => FakeReply | Promise<FakeReply>;

export interface AnthropicFake {
  url: string;
  requests: FakeMessagesRequest[];
  /** Replies used in order before the responder is asked. */
  enqueue(...replies: FakeReply[]): void;
  setResponder(r: Responder | undefined): void;
  /** Usage reported when a reply does not say (default 1000 in / 500 out). */
  setDefaultUsage(u: FakeUsage): void;
  reset(): void;
  close(): Promise<void>;
}

export const toolReply = (input: unknown, usage?: FakeUsage): FakeReply => ({ kind: 'tool', input, usage });
/** One tool call in a tool-use loop, e.g. toolUse('fetch_page', { url }). */
export const toolUse = (name: string, input: unknown, usage?: FakeUsage): FakeReply => ({ kind: 'uses', uses: [{ name, input }], usage });

/** The tool_result blocks a request sends back (the answers to the previous turn's tool_use blocks). */
export function toolResults(req: FakeMessagesRequest): Array<{ tool_use_id: string; content: string; is_error?: boolean }> {
  const last = req.body.messages.at(-1);
  if (!last || last.role !== 'user' || !Array.isArray(last.content)) return [];
  return (last.content as Array<{ type: string; tool_use_id: string; content: unknown; is_error?: boolean }>)
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({ tool_use_id: b.tool_use_id, content: typeof b.content === 'string' ? b.content : JSON.stringify(b.content), is_error: b.is_error }));
}

export async function startAnthropicFake(): Promise<AnthropicFake> {
  const requests: FakeMessagesRequest[] = [];
  let queue: FakeReply[] = [];
  let responder: Responder | undefined;
  let defaultUsage: FakeUsage = { input_tokens: 1000, output_tokens: 500 };
  let seq = 0;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${seq}`, ...headers });
          res.end(JSON.stringify(body));
        };
        if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
          json(404, { type: 'error', error: { type: 'not_found_error', message: `fake: no route ${req.method} ${req.url}` } });
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeMessagesRequest['body'];
        const recorded: FakeMessagesRequest = { headers: req.headers, body, tool: body.tool_choice?.name };
        requests.push(recorded);
        seq++;
        const reply: FakeReply | undefined = queue.shift() ?? (responder ? await responder(recorded) : undefined);
        if (!reply) {
          json(500, { type: 'error', error: { type: 'api_error', message: 'fake: no reply queued' } });
          return;
        }
        switch (reply.kind) {
          case 'error':
            json(
              reply.status,
              {
                type: 'error',
                error: { type: reply.errorType ?? (reply.status === 429 ? 'rate_limit_error' : 'api_error'), message: reply.message ?? `fake ${reply.status}` },
              },
              reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) },
            );
            return;
          case 'raw':
            res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
            res.end(reply.body);
            return;
          case 'text':
            json(200, {
              id: `msg_fake_${seq}`,
              type: 'message',
              role: 'assistant',
              model: body.model,
              content: [{ type: 'text', text: reply.text }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: reply.usage ?? defaultUsage,
            });
            return;
          case 'uses':
            json(200, {
              id: `msg_fake_${seq}`,
              type: 'message',
              role: 'assistant',
              model: body.model,
              content: [
                ...(reply.text ? [{ type: 'text', text: reply.text }] : []),
                ...reply.uses.map((u, i) => ({ type: 'tool_use', id: `toolu_fake_${seq}_${i}`, name: u.name, input: u.input })),
              ],
              stop_reason: 'tool_use',
              stop_sequence: null,
              usage: reply.usage ?? defaultUsage,
            });
            return;
          case 'tool':
            json(200, {
              id: `msg_fake_${seq}`,
              type: 'message',
              role: 'assistant',
              model: body.model,
              content: [{ type: 'tool_use', id: `toolu_fake_${seq}`, name: reply.tool ?? recorded.tool ?? 'unknown', input: reply.input }],
              stop_reason: reply.stopReason ?? 'tool_use',
              stop_sequence: null,
              usage: reply.usage ?? defaultUsage,
            });
            return;
        }
      })().catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `fake crashed: ${String(err)}` } }));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...r) => void queue.push(...r),
    setResponder: (r) => void (responder = r),
    setDefaultUsage: (u) => void (defaultUsage = u),
    reset() {
      requests.length = 0;
      queue = [];
      responder = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
