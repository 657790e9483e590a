// Admission control: the concurrency cap holds, the bounded queue rejects
// with Busy past its length, and drain stops new questions.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAnswerEngine } from '../src/engine/answer/engine.js';
import { EngineError, EngineErrorCode } from '../src/engine/errors.js';
import { HfChatModel } from '../src/engine/llm/chat-model.js';
import { AnswerQueue } from '../src/engine/queue.js';
import { silentLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { collectAnswer, fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';

describe('AnswerQueue', () => {
  it('runs up to the cap and queues the rest', async () => {
    const queue = new AnswerQueue({ concurrency: 2, maxQueue: 1 });
    const first = await queue.acquire();
    await queue.acquire();

    const third = queue.acquire();

    expect(queue.inFlight).toBe(2);
    expect(queue.queueLength).toBe(1);
    first();
    const release = await third;
    expect(queue.inFlight).toBe(2);
    expect(queue.queueLength).toBe(0);
    release();
  });

  it('rejects at once past the queue length', async () => {
    const queue = new AnswerQueue({ concurrency: 1, maxQueue: 1 });
    await queue.acquire();
    void queue.acquire();

    const error = await queue.acquire().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(EngineErrorCode.Busy);
    expect(queue.inFlight).toBe(1);
    expect(queue.queueLength).toBe(1);
  });

  it('rejects every waiter with a queue length of 0', async () => {
    const queue = new AnswerQueue({ concurrency: 1, maxQueue: 0 });
    await queue.acquire();

    await expect(queue.acquire()).rejects.toMatchObject({ code: EngineErrorCode.Busy });
  });

  it('counts synchronous callers before any slot starts', async () => {
    const queue = new AnswerQueue({ concurrency: 1, maxQueue: 0 });

    const results = await Promise.allSettled([queue.acquire(), queue.acquire()]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('stops waiting on abort and gives the slot back later', async () => {
    const queue = new AnswerQueue({ concurrency: 1, maxQueue: 2 });
    const release = await queue.acquire();
    const controller = new AbortController();
    const waiting = queue.acquire(controller.signal);

    controller.abort();

    await expect(waiting).rejects.toMatchObject({ code: EngineErrorCode.Aborted });
    release();
    await vi.waitFor(() => expect(queue.inFlight).toBe(0));
    const next = await queue.acquire();
    next();
  });

  it('ignores a second release', async () => {
    const queue = new AnswerQueue({ concurrency: 1, maxQueue: 1 });
    const release = await queue.acquire();
    const waiting = queue.acquire();

    release();
    release();
    const second = await waiting;

    expect(queue.inFlight).toBe(1);
    second();
  });

  it('validates its options', () => {
    expect(() => new AnswerQueue({ concurrency: 0, maxQueue: 1 })).toThrow('Expected `concurrency` to be a whole number from 1 and up');
    expect(() => new AnswerQueue({ concurrency: 1, maxQueue: -1 })).toThrow('Expected `maxQueue` to be a whole number from 0 and up');
  });
});

describe('engine admission', () => {
  let standin: LlmStandin;

  beforeAll(async () => {
    // Every answer stalls after one token until its reader goes away.
    standin = await startLlmStandin({ defaultScript: { tokens: ['Hold', ' on'], fault: { kind: 'stall', afterTokens: 1 } } });
  });

  afterAll(async () => {
    await standin.close();
  });

  function engineFor(metrics?: Metrics) {
    return createAnswerEngine({
      config: testConfig({ LLM_ENDPOINT_URL: standin.url, MAX_CONCURRENT_ANSWERS: '2', MAX_QUEUE: '1', ANSWER_CACHE_MAX: '0' }),
      logger: silentLogger(),
      retriever: fakeRetriever(),
      chatModel: new HfChatModel({ model: 'm', provider: 'auto', endpointUrl: standin.url, logger: silentLogger() }),
      profiles: { normal: { timeLimitMs: 60_000 } },
      ...(metrics ? { metrics } : {}),
    });
  }

  it('rejects past the queue while the cap holds', async () => {
    const metrics = new Metrics({ collectProcess: false });
    const engine = engineFor(metrics);
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const running = controllers.map((controller, index) =>
      collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey(`u${index}`), signal: controller.signal })),
    );
    await vi.waitFor(() => expect(engine.stats()).toMatchObject({ inFlight: 2, queueLength: 1 }));

    const rejected = await collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('late') }));

    expect((rejected.error as EngineError).code).toBe(EngineErrorCode.Busy);
    expect(rejected.deltas).toEqual([]);
    expect(standin.openStreams).toBeLessThanOrEqual(2);
    expect((await metrics.queueLength.get()).values[0]?.value).toBe(1);
    expect((await metrics.inFlight.get()).values[0]?.value).toBe(2);

    for (const controller of controllers) controller.abort();
    await Promise.all(running);
    await vi.waitFor(() => expect(engine.stats()).toMatchObject({ inFlight: 0, queueLength: 0 }));
    const busy = (await metrics.questions.get()).values.find((v) => v.labels.outcome === 'busy');
    expect(busy?.value).toBe(1);
  });

  it('rejects new questions after drain and lets running ones finish', async () => {
    const engine = engineFor();
    const controller = new AbortController();
    const deltas: string[] = [];
    const running = (async () => {
      for await (const event of engine.ask({ question: 'How do I add a secret?', session: sessionKey(), signal: controller.signal })) {
        if (event.type === 'delta') deltas.push(event.text);
      }
    })();
    await vi.waitFor(() => expect(deltas.length).toBeGreaterThan(0));

    engine.drain();
    const rejected = await collectAnswer(engine.ask({ question: 'Another?', session: sessionKey('b') }));

    expect((rejected.error as EngineError).code).toBe(EngineErrorCode.Busy);
    expect((rejected.error as EngineError).message).toContain('shutting down');
    expect(engine.stats().inFlight).toBe(1);
    controller.abort();
    await running;
  });
});
