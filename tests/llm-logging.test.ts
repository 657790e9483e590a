// What the logs show when the chat model fails: one line per retry and one per
// failed question, with status, model, attempt and delay, but never the request
// body (prompt, passages, question) and no stack for an HTTP failure.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine, type Engine } from '../src/engine/answer/engine.js';
import { EngineError, EngineErrorCode } from '../src/engine/errors.js';
import { HfChatModel, type ChatModel } from '../src/engine/llm/chat-model.js';
import { ChatModelError } from '../src/engine/llm/errors.js';
import { createLogger, type Logger } from '../src/observability/logger.js';
import { cannedChunks, collectAnswer, fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';

/** Creates a logger at warn level that parses each JSON line it writes into `lines`. */
function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; raw: string[] } {
  const stream = new PassThrough();
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (data: Buffer) => {
    for (const line of data.toString('utf8').split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return { logger: createLogger({ level: 'warn', pretty: false, destination: stream }), lines, raw };
}

const question = 'How do I add a secret to my Space?';

let standin: LlmStandin;

beforeAll(async () => {
  standin = await startLlmStandin();
});

afterAll(async () => {
  await standin.close();
});

beforeEach(() => {
  standin.requests.length = 0;
  standin.setDefault({});
});

function engineWith(logger: Logger, chatModel?: ChatModel): Engine {
  return createAnswerEngine({
    config: testConfig({ LLM_ENDPOINT_URL: standin.url, LLM_MAX_RETRIES: '2', ANSWER_CACHE_MAX: '0' }),
    logger,
    retriever: fakeRetriever(),
    chatModel: chatModel ?? new HfChatModel({ model: 'test/model', provider: 'auto', endpointUrl: standin.url, logger }),
    profiles: { normal: { timeLimitMs: 2000 } },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
}

describe('chat model failure logs', () => {
  it('log one line per retry and failure', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 503 } });
    const { logger, lines } = captureLogger();

    const { error } = await collectAnswer(engineWith(logger).ask({ question, session: sessionKey() }));

    expect((error as EngineError).code).toBe(EngineErrorCode.ModelUnavailable);
    expect(standin.requests).toHaveLength(3);
    expect(lines.map((line) => line.msg)).toEqual([
      expect.stringContaining('retrying'),
      expect.stringContaining('retrying'),
      'question failed',
    ]);
  });

  it('name status, model, attempt and delay', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 503 } });
    const { logger, lines } = captureLogger();

    await collectAnswer(engineWith(logger).ask({ question, session: sessionKey() }));

    const [first, second, failed] = lines;
    expect(first).toMatchObject({ status: 503, model: 'endpoint:test/model', attempt: 1 });
    expect(second).toMatchObject({ status: 503, attempt: 2 });
    expect(typeof first!.delayMs).toBe('number');
    expect(first!.error).toContain('HTTP 503');
    expect(failed).toMatchObject({ level: 50, code: 'model_unavailable', status: 503 });
    expect(failed!.error).toContain('HTTP 503');
  });

  it('leave out the request body', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 503 } });
    const { logger, raw } = captureLogger();

    await collectAnswer(engineWith(logger).ask({ question, session: sessionKey() }));

    const text = raw.join('\n');
    expect(text).not.toContain(question);
    expect(text).not.toContain(cannedChunks[0]!.text);
    expect(text).not.toContain('You are ragbot');
    expect(text).not.toContain('httpRequest');
  });

  it('leave out stacks of HTTP failures', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 429, retryAfter: '0' } });
    const { logger, lines } = captureLogger();

    await collectAnswer(engineWith(logger).ask({ question, session: sessionKey() }));

    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.err).toBeUndefined();
      expect(JSON.stringify(line)).not.toContain('    at ');
    }
  });

  it('keep the stack of a programming error', async () => {
    const broken: ChatModel = {
      name: 'broken',
      async *stream() {
        throw new TypeError('messages.map is not a function');
      },
    };
    const { logger, lines } = captureLogger();

    await collectAnswer(engineWith(logger, broken).ask({ question, session: sessionKey() }));

    expect(lines).toHaveLength(1);
    const err = lines[0]!.err as { stack?: string; message?: string };
    expect(err.message).toContain('messages.map is not a function');
    expect(err.stack).toContain('TypeError');
  });

  it('log a broken stream as one line', async () => {
    standin.script({ tokens: ['Add', ' secrets', ' lost'], fault: { kind: 'cut', afterTokens: 2 } });
    const { logger, lines } = captureLogger();

    const { final } = await collectAnswer(engineWith(logger).ask({ question, session: sessionKey() }));

    expect(final?.end).toBe('interrupted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ model: 'endpoint:test/model', failure: 'interrupted' });
    expect(lines[0]!.err).toBeUndefined();
  });
});

describe('ChatModelError', () => {
  it('keeps the cause out of its fields', () => {
    const cause = Object.assign(new Error('upstream'), { httpRequest: { body: { messages: ['secret prompt'] } } });
    const error = new ChatModelError('unavailable', 'The model server failed (HTTP 503)', { status: 503, cause });

    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('secret prompt');
    expect(error.details).toEqual({ status: 503 });
  });
});

describe('EngineError', () => {
  it('keeps the cause out of its fields', () => {
    const cause = new ChatModelError('unavailable', 'failed', { status: 503, cause: { body: 'secret prompt' } });
    const error = new EngineError(EngineErrorCode.ModelUnavailable, 'failed', { retryAfterMs: 10, cause });

    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('secret prompt');
    expect(error.details).toEqual({ retryAfterMs: 10 });
  });
});
