// Bursts of identical first-turn questions: the askers of a question that is
// being answered wait for that answer instead of taking a generation slot, and
// a question that got its slot checks the answer cache again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine, type Engine } from '../src/engine/answer/engine.js';
import { EngineError, EngineErrorCode } from '../src/engine/errors.js';
import { HfChatModel } from '../src/engine/llm/chat-model.js';
import { silentLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { collectAnswer, fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';

const distinctQuestions = [
  'How do I add a secret?',
  'Which port does a Docker Space use?',
  'Is every model a Git repository?',
  'How do I change app_port?',
  'Where are environment variables set?',
];

let standin: LlmStandin;

beforeAll(async () => {
  standin = await startLlmStandin();
});

afterAll(async () => {
  await standin.close();
});

beforeEach(() => {
  standin.requests.length = 0;
  // Each answer names its question, so a replay of the wrong answer shows.
  standin.setDefault((request) => ({
    tokens: ['Answer', ' to', ` "${request.body.messages!.at(-1)!.content.split('Question: ')[1]}"`, ' [1].'],
    firstTokenDelayMs: 50,
    gapMs: 20,
  }));
});

function engineWith(env: Record<string, string>, metrics?: Metrics): Engine {
  return createAnswerEngine({
    config: testConfig({ LLM_ENDPOINT_URL: standin.url, ...env }),
    logger: silentLogger(),
    retriever: fakeRetriever(),
    chatModel: new HfChatModel({ model: 'test/model', provider: 'auto', endpointUrl: standin.url, logger: silentLogger() }),
    profiles: { normal: { timeLimitMs: 5000 } },
    ...(metrics ? { metrics } : {}),
  });
}

describe('answer engine: bursts', () => {
  it('generates each distinct question once', async () => {
    const metrics = new Metrics({ collectProcess: false });
    const engine = engineWith({ MAX_CONCURRENT_ANSWERS: '2', MAX_QUEUE: '3' }, metrics);

    const questions = Array.from({ length: 30 }, (_, index) => distinctQuestions[index % distinctQuestions.length]!);
    const results = await Promise.all(questions.map((question, index) => collectAnswer(engine.ask({ question, session: sessionKey(`user-${index}`) }))));

    expect(results.map((result) => result.error)).toEqual(questions.map(() => undefined));
    expect(standin.requests).toHaveLength(5);
    expect(results.filter((result) => result.final?.cached === true)).toHaveLength(25);
    for (const [index, result] of results.entries()) {
      expect(result.final?.answer).toBe(`Answer to "${questions[index]}" [1].`);
      expect(result.deltas.join('')).toBe(result.final?.answer);
    }
    const outcomes = (await metrics.questions.get()).values.map((value) => [value.labels.outcome, value.value]);
    expect(outcomes).toContainEqual(['cached', 25]);
    expect(engine.stats().caches.in_flight).toEqual({ hits: 25, misses: 0, size: 0 });
  });

  it('replays to a waiting asker while the leader streams', async () => {
    const engine = engineWith({ MAX_CONCURRENT_ANSWERS: '1', MAX_QUEUE: '0' });

    const leader = collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('a') }));
    const follower = collectAnswer(engine.ask({ question: 'how do I add a SECRET', session: sessionKey('b') }));
    const [first, second] = await Promise.all([leader, follower]);

    expect(second.error).toBeUndefined();
    expect(second.final?.cached).toBe(true);
    expect(second.final?.answer).toBe(first.final?.answer);
    expect(second.final?.sources).toEqual(first.final?.sources);
    expect(standin.requests).toHaveLength(1);
  });

  it('keeps sharing off without the answer cache', async () => {
    const engine = engineWith({ ANSWER_CACHE_MAX: '0', MAX_CONCURRENT_ANSWERS: '2' });

    const results = await Promise.all(['a', 'b'].map((user) => collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey(user) }))));

    expect(results.map((result) => result.final?.cached)).toEqual([false, false]);
    expect(standin.requests).toHaveLength(2);
  });

  it('answers alone after the leader is cancelled', async () => {
    const engine = engineWith({ MAX_CONCURRENT_ANSWERS: '1', MAX_QUEUE: '5' });
    const controller = new AbortController();

    const leader = (async () => {
      const events: string[] = [];
      for await (const event of engine.ask({ question: 'How do I add a secret?', session: sessionKey('a'), signal: controller.signal })) {
        events.push(event.type);
        if (event.type === 'delta') controller.abort();
      }
      return events;
    })();
    const waiting = ['b', 'c'].map((user) => collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey(user) })));
    const [leaderEvents, second, third] = await Promise.all([leader, ...waiting]);

    expect(leaderEvents.at(-1)).toBe('final');
    expect(second!.final?.end).toBe('complete');
    expect(third!.final?.end).toBe('complete');
    // The leader's cancelled request and one new answer; the other asker finds it in the cache once it gets a slot.
    expect(standin.requests).toHaveLength(2);
    expect([second!.final?.cached, third!.final?.cached].sort()).toEqual([false, true]);
  });

  it('cancels a waiting asker on abort', async () => {
    const engine = engineWith({ MAX_CONCURRENT_ANSWERS: '1' });
    const controller = new AbortController();

    const leader = collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('a') }));
    const waiting = collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('b'), signal: controller.signal }));
    setTimeout(() => controller.abort(), 10);
    const [first, second] = await Promise.all([leader, waiting]);

    expect(first.final?.end).toBe('complete');
    expect(second.error).toBeInstanceOf(EngineError);
    expect((second.error as EngineError).code).toBe(EngineErrorCode.Aborted);
  });

  it('does not share follow-ups', async () => {
    const engine = engineWith({ MAX_CONCURRENT_ANSWERS: '2' });
    await collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('a') }));
    await collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('b') }));

    const results = await Promise.all(['a', 'b'].map((user) => collectAnswer(engine.ask({ question: 'Which port does a Docker Space use?', session: sessionKey(user) }))));

    expect(results.map((result) => result.final?.cached)).toEqual([false, false]);
    expect(standin.requests).toHaveLength(3);
  });
});
