// The console adapter behind `ragbot chat`, driven through in-memory streams:
// piped questions, /reset, Ctrl-C handling and EOF.
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { ConsoleChat } from '../src/bots/console/console-chat.js';
import { formatSourcesList } from '../src/bots/console/format.js';
import { createAnswerEngine } from '../src/engine/answer/engine.js';
import { EngineError, EngineErrorCode, userMessages } from '../src/engine/errors.js';
import type { AnswerEngine, AnswerEvent, AskRequest } from '../src/engine/types.js';
import { silentLogger } from '../src/observability/logger.js';
import { fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';

/** Starts a chat over in-memory streams; `output()` returns everything written so far. */
function startChat(engine: AnswerEngine, terminal = false) {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  const chat = new ConsoleChat({ engine, input, output, session: sessionKey(), terminal });
  const finished = chat.run();
  return { chat, input, finished, output: () => written };
}

/** Creates an engine that streams one delta per 20 ms until its signal aborts, recording every request. */
function slowEngine(): AnswerEngine & { requests: AskRequest[]; cleared: number } {
  const engine = {
    requests: [] as AskRequest[],
    cleared: 0,
    async *ask(request: AskRequest): AsyncGenerator<AnswerEvent> {
      engine.requests.push(request);
      for (let index = 0; index < 50; index += 1) {
        if (request.signal?.aborted) {
          yield { type: 'delta', text: ' (Cancelled.)' };
          yield { type: 'final', answer: 'partial', sources: [], cached: false, end: 'aborted', timings: { embedMs: 0, searchMs: 0, firstTokenMs: 0, totalMs: 0 } };
          return;
        }
        yield { type: 'delta', text: `w${index} ` };
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      yield { type: 'final', answer: 'done', sources: [], cached: false, end: 'complete', timings: { embedMs: 0, searchMs: 0, firstTokenMs: 0, totalMs: 0 } };
    },
    clearSession() {
      engine.cleared += 1;
    },
    stats: () => ({ queueLength: 0, inFlight: 0, caches: {}, sessions: 0 }),
  };
  return engine;
}

describe('ConsoleChat', () => {
  it('answers piped questions and exits on EOF', async () => {
    const engine = createAnswerEngine({ config: testConfig(), logger: silentLogger(), retriever: fakeRetriever() });
    const { input, finished, output } = startChat(engine);

    input.end('How do I add a secret?\nWhich port?\n');
    await finished;

    const text = output();
    expect(text.match(/Here are the most relevant passages/g)).toHaveLength(2);
    expect(text).toContain('Sources:\n  [1] hub/spaces-overview.md > Spaces > Secrets');
  });

  it('clears the session on /reset', async () => {
    const retriever = fakeRetriever();
    const engine = createAnswerEngine({ config: testConfig(), logger: silentLogger(), retriever });
    const { input, finished, output } = startChat(engine);

    input.end('How do I add a secret?\n/reset\nand for datasets?\n');
    await finished;

    expect(output()).toContain('Conversation cleared.');
    expect(retriever.queries).toEqual(['How do I add a secret?', 'and for datasets?']);
  });

  it('keeps the conversation without /reset', async () => {
    const retriever = fakeRetriever();
    const engine = createAnswerEngine({ config: testConfig(), logger: silentLogger(), retriever });
    const { input, finished } = startChat(engine);

    input.end('How do I add a secret?\nand for datasets?\n');
    await finished;

    expect(retriever.queries[1]).toBe('How do I add a secret? and for datasets?');
  });

  it('shows the user message of an engine error', async () => {
    const failing: AnswerEngine = {
      async *ask() {
        throw new EngineError(EngineErrorCode.RateLimited, 'HTTP 429');
      },
      clearSession() {},
      stats: () => ({ queueLength: 0, inFlight: 0, caches: {}, sessions: 0 }),
    };
    const { input, finished, output } = startChat(failing);

    input.end('Anything?\n');
    await finished;

    expect(output()).toContain(userMessages[EngineErrorCode.RateLimited]);
  });

  it('skips blank lines and reports unknown commands', async () => {
    const engine = slowEngine();
    const { input, finished, output } = startChat(engine);

    input.end('\n   \n/nope\n');
    await finished;

    expect(engine.requests).toHaveLength(0);
    expect(output()).toContain('Unknown command /nope.');
  });

  it('cancels the current answer on Ctrl-C and goes on', async () => {
    const engine = slowEngine();
    const { chat, input, finished, output } = startChat(engine);
    input.write('first question\n');
    await vi.waitFor(() => expect(output()).toContain('w2'));

    chat.interrupt();
    input.end('second question\n');
    await finished;

    expect(engine.requests).toHaveLength(2);
    expect(engine.requests[0]!.signal?.aborted).toBe(true);
    expect(engine.requests[1]!.signal?.aborted).toBe(false);
    expect(output()).toContain('(Cancelled.)');
  });

  it('leaves on a second Ctrl-C at the prompt', async () => {
    const engine = slowEngine();
    const { chat, finished, output } = startChat(engine, true);

    chat.interrupt();
    expect(output()).toContain('Press Ctrl-C again');
    chat.interrupt();
    await finished;

    expect(engine.requests).toHaveLength(0);
  });

  it('leaves on /exit without reading further', async () => {
    const engine = slowEngine();
    const { input, finished } = startChat(engine);

    input.write('/exit\nnot asked\n');
    await finished;

    expect(engine.requests).toHaveLength(0);
  });
});

describe('formatSourcesList', () => {
  it('lists sources with headings and links', () => {
    const text = formatSourcesList([
      { index: 1, path: 'hub/a.md', heading: 'A > B', score: 0.5, url: 'https://h/a' },
      { index: 2, path: 'hub/b.md', heading: '', score: 0.4 },
    ]);

    expect(text).toBe('Sources:\n  [1] hub/a.md > A > B  https://h/a\n  [2] hub/b.md');
  });

  it('returns nothing without sources', () => {
    expect(formatSourcesList([])).toBe('');
  });
});
