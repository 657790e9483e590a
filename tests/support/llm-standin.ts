// A stand-in for an OpenAI-compatible chat completion server on 127.0.0.1.
// It speaks the real wire protocol (POST /v1/chat/completions, SSE
// `data: {chat.completion.chunk}` lines, `data: [DONE]`), so tests drive the
// real @huggingface/inference client against it. Each request follows a
// script: tokens, first-token delay, gap between tokens, and an optional fault.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A failure the stand-in injects into one response. */
export type LlmFault =
  /** Respond with an HTTP error instead of a stream, e.g. 429 with Retry-After or 503. */
  | { kind: 'status'; status: number; retryAfter?: string; body?: unknown }
  /** Destroy the connection after `afterTokens` tokens, without finishing the chunked body. */
  | { kind: 'cut'; afterTokens: number }
  /** Send a `data:` line that is not JSON after `afterTokens` tokens. */
  | { kind: 'malformed'; afterTokens: number }
  /** Send an OpenAI-style error event after `afterTokens` tokens, then end the stream. */
  | { kind: 'error-event'; afterTokens: number; message?: string }
  /** Stop sending after `afterTokens` tokens and keep the connection open until the client leaves. */
  | { kind: 'stall'; afterTokens: number }
  /** End the response cleanly after all tokens but without a finish_reason or `[DONE]`. */
  | { kind: 'no-finish' };

/** How the stand-in answers one request. */
export interface LlmScript {
  /** Content deltas to stream, or a function of the request that returns them. Default: `['Hello', ' world', '.']`. */
  tokens?: string[] | ((request: RecordedLlmRequest) => string[]);
  /** Delay in ms before the first token (after the response headers). */
  firstTokenDelayMs?: number;
  /** Delay in ms between tokens. */
  gapMs?: number;
  fault?: LlmFault;
  /** `finish_reason` of the last chunk; default `stop`. */
  finishReason?: string;
}

/** A request as the stand-in received it. */
export interface RecordedLlmRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (model, messages, max_tokens, stream, ...). */
  body: { model?: string; messages?: { role: string; content: string }[]; max_tokens?: number; stream?: boolean; [key: string]: unknown };
  /** True when the client closed the connection before the stand-in finished the response. */
  aborted: boolean;
  /** Tokens sent before the response ended. */
  tokensSent: number;
}

/** Options of `startLlmStandin`. */
export interface LlmStandinOptions {
  /** Script for requests that no queued script covers; a function gets the request. */
  defaultScript?: LlmScript | ((request: RecordedLlmRequest) => LlmScript);
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/** A running stand-in server. */
export interface LlmStandin {
  /** Base URL, e.g. `http://127.0.0.1:40123`; use it as LLM_ENDPOINT_URL. */
  url: string;
  /** Every chat completion request, in arrival order. */
  requests: RecordedLlmRequest[];
  /** Number of responses the client abandoned before they finished. */
  readonly abortedCount: number;
  /** Number of responses being streamed now. */
  readonly openStreams: number;
  /** Queues scripts for the next requests, one per request, before the default applies again. */
  script(...scripts: LlmScript[]): void;
  /** Replaces the default script. */
  setDefault(script: LlmScript | ((request: RecordedLlmRequest) => LlmScript)): void;
  close(): Promise<void>;
}

const defaultTokens = ['Hello', ' world', '.'];

/** Starts the stand-in on 127.0.0.1 and resolves once it listens. */
export async function startLlmStandin(options: LlmStandinOptions = {}): Promise<LlmStandin> {
  const queued: LlmScript[] = [];
  const requests: RecordedLlmRequest[] = [];
  let defaultScript = options.defaultScript ?? {};
  let abortedCount = 0;
  let openStreams = 0;

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/v1/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `No route for ${req.method} ${req.url}` } }));
        return;
      }

      const record: RecordedLlmRequest = {
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: await readJson(req),
        aborted: false,
        tokensSent: 0,
      };
      requests.push(record);

      const script = queued.shift() ?? (typeof defaultScript === 'function' ? defaultScript(record) : defaultScript);
      openStreams += 1;
      try {
        await respond(res, script, record);
      } finally {
        openStreams -= 1;
        if (record.aborted) abortedCount += 1;
      }
    })();
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get abortedCount() {
      return abortedCount;
    },
    get openStreams() {
      return openStreams;
    },
    script(...scripts) {
      queued.push(...scripts);
    },
    setDefault(script) {
      defaultScript = script;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads and parses a JSON request body; an invalid body gives an empty object. */
async function readJson(req: IncomingMessage): Promise<RecordedLlmRequest['body']> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as RecordedLlmRequest['body'];
  } catch {
    return {};
  }
}

/** Writes one scripted response. Resolves when it ends, by the script or by the client leaving. */
async function respond(res: ServerResponse, script: LlmScript, record: RecordedLlmRequest): Promise<void> {
  const fault = script.fault;

  // An HTTP error instead of a stream.
  if (fault?.kind === 'status') {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
    res.writeHead(fault.status, headers);
    res.end(JSON.stringify(fault.body ?? { error: { message: `Stand-in fault: HTTP ${fault.status}`, type: 'server_error' } }));
    return;
  }

  // The client leaving ends the response early.
  let finished = false;
  const left = new Promise<void>((resolve) => {
    res.on('close', () => {
      if (!finished) record.aborted = true;
      resolve();
    });
  });
  const wait = async (ms: number): Promise<boolean> => {
    if (ms > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([left, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    }
    return !record.aborted && !res.destroyed;
  };

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();

  const tokens = typeof script.tokens === 'function' ? script.tokens(record) : (script.tokens ?? defaultTokens);
  const id = `chatcmpl-standin-${Date.now()}`;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null): string =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: record.body.model ?? 'standin',
      system_fingerprint: 'standin',
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    })}\n\n`;

  if (!(await wait(script.firstTokenDelayMs ?? 0))) return;

  for (let index = 0; index <= tokens.length; index += 1) {
    // Faults that fire after `index` tokens.
    if (fault !== undefined && 'afterTokens' in fault && fault.afterTokens === index) {
      switch (fault.kind) {
        case 'cut':
          // Flush what was written, then close the socket without the chunked body's last chunk.
          finished = true;
          res.socket?.end();
          return;
        case 'malformed':
          res.write('data: {"choices": [{"delta": {"content": "bro\n\n');
          break;
        case 'error-event':
          res.write(`data: ${JSON.stringify({ error: { message: fault.message ?? 'Stand-in fault: model crashed', type: 'server_error' } })}\n\n`);
          break;
        case 'stall':
          await left;
          return;
      }
      finished = true;
      res.end();
      return;
    }
    if (index === tokens.length) break;

    if (index > 0 && !(await wait(script.gapMs ?? 0))) return;
    const delta = index === 0 ? { role: 'assistant', content: tokens[index] } : { content: tokens[index] };
    res.write(chunk(delta, null));
    record.tokensSent += 1;
  }

  finished = true;
  if (fault?.kind !== 'no-finish') {
    res.write(chunk({}, script.finishReason ?? 'stop'));
    res.write('data: [DONE]\n\n');
  }
  res.end();
}
