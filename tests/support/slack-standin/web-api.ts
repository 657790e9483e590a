// A stand-in for Slack's Web API and slash command response URLs, on
// 127.0.0.1. It speaks the wire protocol of the real API (form-encoded or
// JSON POSTs to /api/<method>, Bearer token, `{ ok, error }` replies, HTTP 429
// with Retry-After), records every call, keeps the messages it was sent, and
// can be told to fail: rate limits per method and workspace, channels the bot
// is not in, too-long messages, refused streaming methods, or any error code.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call as the stand-in received it. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** Milliseconds since the stand-in started. */
  at: number;
  /** `ok` or the error code the stand-in answered with. */
  result: string;
}

/** A message as Slack would show it. */
export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  /** Visible Markdown or text of the answer (markdown blocks, else `text`; streamed text for streams). */
  body: string;
  /** Text of context blocks (question header, sources). */
  context: string[];
  streaming: boolean;
  streamed: boolean;
  updates: number;
}

/** One post to a response URL. */
export interface ResponsePost {
  id: string;
  body: Record<string, unknown>;
  status: number;
}

/** Options of the stand-in. */
export interface SlackStandInOptions {
  token?: string;
  teamId?: string;
  botUserId?: string;
  /** Per-method limit per workspace over a sliding window; calls above it get HTTP 429. */
  limits?: Record<string, { limit: number; windowMs: number }>;
  /** Error code for chat.startStream/appendStream/stopStream, e.g. `unknown_method`; undefined accepts them. */
  refuseStreaming?: string;
  /** Channels where posting fails with `not_in_channel`. */
  notInChannel?: string[];
  /** Longest `text`; longer gets `msg_too_long`. Default 4000. */
  maxTextChars?: number;
  /** Longest markdown block or `markdown_text`; longer gets `msg_too_long`. Default 12000. */
  maxMarkdownChars?: number;
  /** Returns an error code to answer a call with, or undefined to handle it normally. */
  fault?: (method: string, args: Record<string, unknown>) => string | undefined;
}

/** Slack Web API and response_url stand-in. */
export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly responsePosts: ResponsePost[] = [];
  readonly token: string;
  readonly teamId: string;
  readonly botUserId: string;
  private server: Server | undefined;
  private baseUrl = '';
  private readonly startedAt = Date.now();
  private readonly accepted = new Map<string, number[]>();
  private tsCounter = 0;

  constructor(readonly options: SlackStandInOptions = {}) {
    this.token = options.token ?? 'xoxb-standin-token';
    this.teamId = options.teamId ?? 'T0STANDIN';
    this.botUserId = options.botUserId ?? 'U0BOT';
  }

  /** Starts listening on 127.0.0.1 and returns the base URL. */
  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Value for SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  /** A response URL whose posts are recorded under `id`. */
  responseUrl(id: string): string {
    return `${this.baseUrl}response/${id}`;
  }

  /** Calls of one method. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Messages in one channel, or in one thread of it, in posting order. */
  messagesIn(channel: string, threadTs?: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && (threadTs === undefined || m.threadTs === threadTs || m.ts === threadTs));
  }

  // Routes /api/<method> and /response/<id>.
  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/response/')) return this.handleResponseUrl(url.pathname.slice('/response/'.length), raw, response);
    if (!url.pathname.startsWith('/api/')) return send(response, 404, { ok: false, error: 'unknown_path' });

    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, request.headers['content-type'] ?? '');
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '') || String(args.token ?? '');
    if (token !== this.token) return this.reply(response, method, args, 'invalid_auth');

    const retryAfter = this.takeRateLimit(method);
    if (retryAfter !== undefined) {
      this.calls.push({ method, args, at: this.elapsed(), result: 'ratelimited' });
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      response.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }

    const fault = this.options.fault?.(method, args);
    if (fault !== undefined) return this.reply(response, method, args, fault);
    const outcome = this.apply(method, args);
    return this.reply(response, method, args, outcome.error, outcome.result);
  }

  private reply(response: ServerResponse, method: string, args: Record<string, unknown>, error: string | undefined, result: Record<string, unknown> = {}): void {
    this.calls.push({ method, args, at: this.elapsed(), result: error ?? 'ok' });
    send(response, 200, error === undefined ? { ok: true, ...result } : { ok: false, error });
  }

  // Sliding window per method: returns Retry-After seconds when the call is over the limit.
  private takeRateLimit(method: string): number | undefined {
    const limit = this.options.limits?.[method];
    if (limit === undefined) return undefined;
    const now = Date.now();
    const times = (this.accepted.get(method) ?? []).filter((t) => t > now - limit.windowMs);
    if (times.length >= limit.limit) {
      this.accepted.set(method, times);
      return Math.max(1, Math.ceil((times[0]! + limit.windowMs - now) / 1000));
    }
    times.push(now);
    this.accepted.set(method, times);
    return undefined;
  }

  // The behaviour of each method; returns an error code or the result fields.
  private apply(method: string, args: Record<string, unknown>): { error?: string; result?: Record<string, unknown> } {
    const channel = String(args.channel ?? '');
    const streamingMethod = method.startsWith('chat.') && method.endsWith('Stream');
    if (streamingMethod && this.options.refuseStreaming) return { error: this.options.refuseStreaming };
    if (['chat.postMessage', 'chat.postEphemeral', 'chat.startStream'].includes(method) && this.options.notInChannel?.includes(channel)) return { error: 'not_in_channel' };
    const tooLong = this.tooLong(args);
    if (tooLong) return { error: 'msg_too_long' };

    switch (method) {
      case 'auth.test':
        return { result: { url: 'https://standin.slack.test/', team: 'Stand-in', team_id: this.teamId, user: 'ragbot', user_id: this.botUserId, bot_id: 'B0BOT' } };
      case 'chat.postMessage':
        return { result: this.post(channel, args) };
      case 'chat.postEphemeral':
        return { result: { message_ts: this.nextTs() } };
      case 'chat.update':
        return this.update(channel, args);
      case 'chat.startStream':
        return this.startStream(channel, args);
      case 'chat.appendStream':
      case 'chat.stopStream':
        return this.continueStream(method, channel, args);
      default:
        return { error: 'unknown_method' };
    }
  }

  private post(channel: string, args: Record<string, unknown>): Record<string, unknown> {
    const ts = this.nextTs();
    const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
    this.messages.set(ts, { channel, ts, threadTs, ...visible(args), streaming: false, streamed: false, updates: 0 });
    return { channel, ts };
  }

  private update(channel: string, args: Record<string, unknown>): { error?: string; result?: Record<string, unknown> } {
    const message = this.messages.get(String(args.ts));
    if (message === undefined || message.channel !== channel) return { error: 'message_not_found' };
    Object.assign(message, visible(args));
    message.updates += 1;
    return { result: { channel, ts: message.ts } };
  }

  private startStream(channel: string, args: Record<string, unknown>): { error?: string; result?: Record<string, unknown> } {
    if (typeof args.thread_ts !== 'string') return { error: 'invalid_arguments' };
    if (!channel.startsWith('D') && (args.recipient_team_id === undefined || args.recipient_user_id === undefined)) return { error: 'invalid_arguments' };
    const ts = this.nextTs();
    const body = typeof args.markdown_text === 'string' ? args.markdown_text : '';
    this.messages.set(ts, { channel, ts, threadTs: args.thread_ts, body, context: [], streaming: true, streamed: true, updates: 0 });
    return { result: { channel, ts } };
  }

  private continueStream(method: string, channel: string, args: Record<string, unknown>): { error?: string; result?: Record<string, unknown> } {
    const message = this.messages.get(String(args.ts));
    if (message === undefined || message.channel !== channel) return { error: 'message_not_found' };
    if (!message.streaming) return { error: 'message_not_in_streaming_state' };
    if (typeof args.markdown_text === 'string') message.body += args.markdown_text;
    if (method === 'chat.stopStream') {
      message.streaming = false;
      message.context.push(...contextTexts(args.blocks));
    }
    return { result: { channel, ts: message.ts } };
  }

  private tooLong(args: Record<string, unknown>): boolean {
    const maxText = this.options.maxTextChars ?? 4000;
    const maxMarkdown = this.options.maxMarkdownChars ?? 12_000;
    if (typeof args.text === 'string' && args.text.length > maxText) return true;
    if (typeof args.markdown_text === 'string' && args.markdown_text.length > maxMarkdown) return true;
    return markdownTexts(args.blocks).some((text) => text.length > maxMarkdown);
  }

  // Slack lets five posts through per response URL; later ones get 404 used_url.
  private handleResponseUrl(id: string, raw: string, response: ServerResponse): void {
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    const used = this.responsePosts.filter((post) => post.id === id && post.status === 200).length;
    const status = used >= 5 ? 404 : 200;
    this.responsePosts.push({ id, body, status });
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(status === 200 ? 'ok' : 'used_url');
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(this.startedAt / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private elapsed(): number {
    return Date.now() - this.startedAt;
  }
}

/** Visible body and context texts of a postMessage or update payload. */
function visible(args: Record<string, unknown>): { body: string; context: string[] } {
  const markdown = markdownTexts(args.blocks);
  const context = contextTexts(args.blocks);
  if (markdown.length > 0) return { body: markdown.join('\n'), context };
  if (typeof args.markdown_text === 'string') return { body: args.markdown_text, context };
  return { body: String(args.text ?? ''), context };
}

function markdownTexts(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.filter((b) => b?.type === 'markdown').map((b) => String(b.text));
}

function contextTexts(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.filter((b) => b?.type === 'context').flatMap((b) => (b.elements as Array<{ text?: string }>).map((e) => String(e.text ?? '')));
}

// Form bodies carry nested values (blocks, chunks) as JSON strings, as the Web API client sends them.
function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = ['blocks', 'chunks', 'metadata', 'attachments'].includes(key) ? JSON.parse(value) : value;
  }
  return args;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
