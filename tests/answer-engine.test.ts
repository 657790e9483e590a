// The answering engine with a fake Retriever and the real @huggingface/inference
// client against the LLM stand-in: streams, faults and what the user sees.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAnswerEngine, type AnswerEngineOptions, type Engine } from '../src/engine/answer/engine.js';
import { endNotes, notFoundAnswer } from '../src/engine/answer/text-stream.js';
import { EngineError, EngineErrorCode, userMessages } from '../src/engine/errors.js';
import { HfChatModel } from '../src/engine/llm/chat-model.js';
import { silentLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { collectAnswer, fakeRetriever, sessionKey, testConfig, type FakeRetriever } from './support/answer-fakes.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';

let standin: LlmStandin;
let retriever: FakeRetriever;

beforeAll(async () => {
  standin = await startLlmStandin();
});

afterAll(async () => {
  await standin.close();
});

beforeEach(() => {
  standin.requests.length = 0;
  standin.setDefault({});
  retriever = fakeRetriever();
});

/** Creates an engine against the stand-in with short limits: 400 ms per token wait, fast retries. */
function engineFor(options: Partial<AnswerEngineOptions> = {}): Engine {
  const config = testConfig({ LLM_ENDPOINT_URL: standin.url, LLM_MAX_RETRIES: '2', ANSWER_CACHE_MAX: '0' });
  return createAnswerEngine({
    config,
    logger: silentLogger(),
    retriever,
    chatModel: new HfChatModel({ model: 'test/model', provider: 'auto', endpointUrl: standin.url, logger: silentLogger() }),
    profiles: { normal: { timeLimitMs: 400 }, compact: { timeLimitMs: 400 } },
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    ...options,
  });
}

function ask(engine: Engine, question = 'How do I add a secret?', signal?: AbortSignal) {
  return collectAnswer(engine.ask({ question, session: sessionKey(), ...(signal ? { signal } : {}) }));
}

describe('answer engine: normal stream', () => {
  it('streams deltas then one final event', async () => {
    standin.script({ tokens: ['Open', ' Settings', ' [1]', '.'] });

    const { deltas, final, error } = await ask(engineFor());

    expect(error).toBeUndefined();
    expect(deltas.join('')).toBe('Open Settings [1].');
    expect(final?.answer).toBe('Open Settings [1].');
    expect(final?.end).toBe('complete');
    expect(final?.cached).toBe(false);
  });

  it('reports timings from the start of the call', async () => {
    const { final } = await ask(engineFor());

    expect(final?.timings.embedMs).toBe(1);
    expect(final?.timings.searchMs).toBe(1);
    expect(final?.timings.firstTokenMs).toBeGreaterThan(0);
    expect(final?.timings.totalMs).toBeGreaterThanOrEqual(final!.timings.firstTokenMs);
  });

  it('sends numbered sources with paths and headings', async () => {
    await ask(engineFor());

    const messages = standin.requests[0]!.body.messages!;
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('[1]');
    const user = messages.at(-1)!.content;
    expect(user).toContain('[1] (hub/spaces-overview.md, section "Spaces > Secrets")');
    expect(user).toContain('[2] (hub/spaces-sdks-docker.md, section "Docker Spaces > Port")');
    expect(user).toContain('Question: How do I add a secret?');
  });

  it('limits new tokens by profile', async () => {
    const engine = engineFor();

    await ask(engine);
    await collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('u2'), profile: 'compact' }));

    expect(standin.requests[0]!.body.max_tokens).toBe(2000);
    expect(standin.requests[1]!.body.max_tokens).toBe(800);
  });
});

describe('answer engine: questions', () => {
  it('rejects an empty question', async () => {
    const { error } = await ask(engineFor(), '   \n ');

    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(EngineErrorCode.EmptyQuestion);
  });

  it('explains an empty question on any platform', () => {
    const message = userMessages[EngineErrorCode.EmptyQuestion];

    expect(message).toBe('Please include a question, for example: how do I add my docs?');
    expect(message).not.toMatch(/mention/i);
  });

  it('rejects a question over the limit', async () => {
    const { error, deltas } = await ask(engineFor(), 'x'.repeat(1001));

    expect((error as EngineError).code).toBe(EngineErrorCode.QuestionTooLong);
    expect(deltas).toEqual([]);
    expect(retriever.queries).toEqual([]);
  });

  it('counts emoji as one character each', async () => {
    const { error } = await ask(engineFor(), '😀'.repeat(1000));

    expect(error).toBeUndefined();
    expect(retriever.queries).toHaveLength(1);
  });

  it('reports the length in characters', async () => {
    const { error } = await ask(engineFor(), '😀'.repeat(1001));

    expect((error as EngineError).code).toBe(EngineErrorCode.QuestionTooLong);
    expect((error as EngineError).message).toContain('The question has 1001 characters');
  });

  it('answers not found without calling the model', async () => {
    const { final, deltas } = await ask(engineFor(), 'Is there nothing here?');

    expect(final?.end).toBe('not_found');
    expect(final?.answer).toBe(notFoundAnswer);
    expect(deltas.join('')).toBe(notFoundAnswer);
    expect(final?.sources).toEqual([]);
    expect(standin.requests).toHaveLength(0);
  });
});

describe('answer engine: faults', () => {
  it('throws Timeout when no token arrives in time', async () => {
    standin.script({ firstTokenDelayMs: 2000 });

    const { error, deltas } = await ask(engineFor());

    expect((error as EngineError).code).toBe(EngineErrorCode.Timeout);
    expect(deltas).toEqual([]);
    await vi.waitFor(() => expect(standin.requests[0]!.aborted).toBe(true));
  });

  it('waits for a slow first token inside the limit', async () => {
    standin.script({ tokens: ['Slow', ' but', ' here.'], firstTokenDelayMs: 150 });

    const { final } = await ask(engineFor());

    expect(final?.answer).toBe('Slow but here.');
    expect(final?.end).toBe('complete');
  });

  it('ends with a timeout note after a long gap', async () => {
    standin.script({ tokens: ['Part', ' one', ' never', ' sent'], fault: { kind: 'stall', afterTokens: 2 } });

    const { final, deltas, error } = await ask(engineFor());

    expect(error).toBeUndefined();
    expect(final?.end).toBe('timeout');
    expect(final?.answer).toBe(`Part one\n\n${endNotes.timeout}`);
    expect(deltas.join('')).toBe(final?.answer);
  });

  it('accepts gaps shorter than the limit', async () => {
    standin.script({ tokens: ['a', ' b', ' c'], gapMs: 150 });

    const { final } = await ask(engineFor());

    expect(final?.answer).toBe('a b c');
  });

  it('retries 429 honouring Retry-After', async () => {
    standin.script({ fault: { kind: 'status', status: 429, retryAfter: '0.1' } }, { tokens: ['After', ' retry.'] });

    const { final } = await ask(engineFor());

    expect(final?.answer).toBe('After retry.');
    expect(standin.requests).toHaveLength(2);
  });

  it('throws RateLimited when 429 retries run out', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 429, retryAfter: '0' } });

    const { error } = await ask(engineFor());

    expect((error as EngineError).code).toBe(EngineErrorCode.RateLimited);
    expect(standin.requests).toHaveLength(3);
  });

  it('retries 503 and then answers', async () => {
    standin.script({ fault: { kind: 'status', status: 503 } }, { tokens: ['Back', '.'] });

    const { final } = await ask(engineFor());

    expect(final?.answer).toBe('Back.');
  });

  it('throws ModelUnavailable when 503 retries run out', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 503 } });

    const { error } = await ask(engineFor());

    expect((error as EngineError).code).toBe(EngineErrorCode.ModelUnavailable);
    expect(standin.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 400 } });

    const { error } = await ask(engineFor());

    expect((error as EngineError).code).toBe(EngineErrorCode.ModelUnavailable);
    expect(standin.requests).toHaveLength(1);
  });

  it('gives up when Retry-After exceeds the time left', async () => {
    standin.setDefault({ fault: { kind: 'status', status: 429, retryAfter: '60' } });

    const { error } = await ask(engineFor({ retry: { baseDelayMs: 10, maxDelayMs: 5000 } }));

    expect((error as EngineError).code).toBe(EngineErrorCode.RateLimited);
    expect(standin.requests).toHaveLength(1);
  });

  const interruptions = [
    { name: 'stream cut', fault: { kind: 'cut', afterTokens: 2 } },
    { name: 'malformed chunk', fault: { kind: 'malformed', afterTokens: 2 } },
    { name: 'error event', fault: { kind: 'error-event', afterTokens: 2 } },
  ] as const;
  for (const { name, fault } of interruptions) {
    it(`ends with an interruption note on a ${name}`, async () => {
      standin.script({ tokens: ['Add', ' secrets', ' lost'], fault });

      const { final, error } = await ask(engineFor());

      expect(error).toBeUndefined();
      expect(final?.end).toBe('interrupted');
      expect(final?.answer).toBe(`Add secrets\n\n${endNotes.interrupted}`);
    });
  }

  it('stops the upstream request on abort', async () => {
    standin.script({ tokens: ['a', ' b', ' c', ' d', ' e', ' f', ' g'], gapMs: 100 });
    const controller = new AbortController();
    const engine = engineFor();

    const deltas: string[] = [];
    let final: unknown;
    for await (const event of engine.ask({ question: 'How do I add a secret?', session: sessionKey(), signal: controller.signal })) {
      if (event.type === 'delta') {
        deltas.push(event.text);
        if (deltas.length === 1) controller.abort();
      } else {
        final = event;
      }
    }

    expect(final).toMatchObject({ end: 'aborted' });
    await vi.waitFor(() => expect(standin.requests[0]!.aborted).toBe(true));
    expect(standin.requests[0]!.tokensSent).toBeLessThan(7);
  });

  it('throws Aborted when cancelled before the first token', async () => {
    standin.script({ firstTokenDelayMs: 300 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const { error } = await ask(engineFor(), 'How do I add a secret?', controller.signal);

    expect((error as EngineError).code).toBe(EngineErrorCode.Aborted);
  });

  it('closes the upstream request when the reader stops early', async () => {
    standin.script({ tokens: ['a', ' b', ' c', ' d', ' e'], gapMs: 100 });
    const engine = engineFor();

    for await (const event of engine.ask({ question: 'How do I add a secret?', session: sessionKey() })) {
      if (event.type === 'delta') break;
    }

    await vi.waitFor(() => expect(standin.requests[0]!.aborted).toBe(true));
    expect(engine.stats().inFlight).toBe(0);
  });
});

describe('answer engine: follow-ups', () => {
  it('sends the earlier turn as history', async () => {
    const engine = engineFor();
    standin.script({ tokens: ['Use', ' Settings', ' [1].'] });
    await ask(engine, 'How do I add a secret?');

    await ask(engine, 'Which port does a Docker Space use?');

    const messages = standin.requests[1]!.body.messages!;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[1]!.content).toBe('How do I add a secret?');
    expect(messages[2]!.content).toBe('Use Settings.');
  });

  it('leaves the end note out of history', async () => {
    const engine = engineFor();
    standin.script({ tokens: ['Use', ' Settings'], fault: { kind: 'cut', afterTokens: 2 } });
    await ask(engine, 'How do I add a secret?');

    await ask(engine, 'Which port does a Docker Space use?');

    const messages = standin.requests[1]!.body.messages!;
    expect(messages[2]!.content).toBe('Use Settings');
  });

  it('searches a short follow-up with the previous question', async () => {
    const engine = engineFor();
    await ask(engine, 'How do I add a secret to a Space?');

    await ask(engine, 'and for datasets?');

    expect(retriever.queries[1]).toBe('How do I add a secret to a Space? and for datasets?');
  });

  it('searches a new topic on its own', async () => {
    const engine = engineFor();
    await ask(engine, 'How do I add a secret to a Space?');

    await ask(engine, 'Which port does a Docker Space listen on by default?');

    expect(retriever.queries[1]).toBe('Which port does a Docker Space listen on by default?');
  });

  it('forgets the conversation on clearSession', async () => {
    const engine = engineFor();
    await ask(engine, 'How do I add a secret?');

    engine.clearSession(sessionKey());
    await ask(engine, 'and for datasets?');

    expect(retriever.queries[1]).toBe('and for datasets?');
    expect(standin.requests[1]!.body.messages).toHaveLength(2);
  });
});

describe('answer engine: metrics', () => {
  it('counts questions by outcome', async () => {
    const metrics = new Metrics({ collectProcess: false });
    const engine = engineFor({ metrics });

    await ask(engine);
    await ask(engine, 'nothing at all');
    await ask(engine, ' ');

    const counts = (await metrics.questions.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(counts).toContainEqual(['answered', 1]);
    expect(counts).toContainEqual(['not_found', 1]);
    expect(counts).toContainEqual(['rejected', 1]);
    const firstToken = await metrics.firstTokenSeconds.get();
    expect(firstToken.values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(2);
  });

  it('counts embedding cache lookups from the retriever', async () => {
    const metrics = new Metrics({ collectProcess: false });
    const engine = engineFor({ metrics });

    await ask(engine);
    await ask(engine, 'Which port?');

    const lookups = (await metrics.cacheLookups.get()).values;
    expect(lookups.find((v) => v.labels.cache === 'embedding' && v.labels.result === 'miss')?.value).toBe(2);
    expect(engine.stats().caches.embedding).toEqual({ hits: 0, misses: 2, size: 2 });
  });
});
