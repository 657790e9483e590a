// The answer cache: hits on repeats and folded variants, misses after the index
// version changes or the TTL passes, and only complete first-turn answers stored.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnswerCache, normalizeQuestion } from '../src/engine/cache/answer-cache.js';
import { createAnswerEngine, type Engine } from '../src/engine/answer/engine.js';
import { HfChatModel } from '../src/engine/llm/chat-model.js';
import { silentLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { collectAnswer, fakeRetriever, sessionKey, testConfig, type FakeRetriever } from './support/answer-fakes.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';

describe('normalizeQuestion', () => {
  it('folds case, punctuation and whitespace', () => {
    expect(normalizeQuestion('  How do I add  a SECRET?! ')).toBe('how do i add a secret');
    expect(normalizeQuestion('how do i add a secret')).toBe('how do i add a secret');
    expect(normalizeQuestion('How, do I... add a "secret"')).toBe('how do i add a secret');
  });
});

describe('AnswerCache', () => {
  const answer = { answer: 'Use Settings [1].', sources: [], end: 'complete' as const };

  it('expires entries after the TTL', () => {
    let now = 1_000;
    const cache = new AnswerCache({ max: 10, ttlMs: 5_000, now: () => now });
    cache.set('q', 'normal', 'v1', answer);

    now += 4_999;
    expect(cache.get('q', 'normal', 'v1')).toBeDefined();
    now += 2;
    expect(cache.get('q', 'normal', 'v1')).toBeUndefined();
  });

  it('separates profiles', () => {
    const cache = new AnswerCache({ max: 10, ttlMs: 60_000 });
    cache.set('q', 'normal', 'v1', answer);

    expect(cache.get('q', 'compact', 'v1')).toBeUndefined();
  });

  it('clears entries when the index version changes', () => {
    const cache = new AnswerCache({ max: 10, ttlMs: 60_000 });
    cache.set('q', 'normal', 'v1', answer);

    expect(cache.get('q', 'normal', 'v2')).toBeUndefined();
    expect(cache.stats().size).toBe(0);
  });

  it('does nothing with max 0', () => {
    const cache = new AnswerCache({ max: 0, ttlMs: 60_000 });
    cache.set('q', 'normal', 'v1', answer);

    expect(cache.get('q', 'normal', 'v1')).toBeUndefined();
    expect(cache.stats()).toEqual({ hits: 0, misses: 1, size: 0 });
  });
});

describe('answer cache through the engine', () => {
  let standin: LlmStandin;
  let retriever: FakeRetriever;
  let metrics: Metrics;
  let engine: Engine;

  beforeAll(async () => {
    standin = await startLlmStandin({ defaultScript: { tokens: ['Use', ' Settings', ' [1].'] } });
  });

  afterAll(async () => {
    await standin.close();
  });

  beforeEach(() => {
    standin.requests.length = 0;
    retriever = fakeRetriever();
    metrics = new Metrics({ collectProcess: false });
    engine = createAnswerEngine({
      config: testConfig({ LLM_ENDPOINT_URL: standin.url }),
      logger: silentLogger(),
      retriever,
      metrics,
      chatModel: new HfChatModel({ model: 'm', provider: 'auto', endpointUrl: standin.url, logger: silentLogger() }),
      profiles: { normal: { timeLimitMs: 300 } },
    });
  });

  const askAs = (question: string, user: string) => collectAnswer(engine.ask({ question, session: sessionKey(user) }));

  it('replays a repeated question from the cache', async () => {
    const first = await askAs('How do I add a secret?', 'a');
    const second = await askAs('How do I add a secret?', 'b');

    expect(standin.requests).toHaveLength(1);
    expect(second.final?.cached).toBe(true);
    expect(second.final?.answer).toBe(first.final?.answer);
    expect(second.final?.sources).toEqual(first.final?.sources);
    expect(second.deltas.join('')).toBe(first.final?.answer);
    expect(engine.stats().caches.answer).toEqual({ hits: 1, misses: 1, size: 1 });
  });

  it('hits on case and punctuation variants', async () => {
    await askAs('How do I add a secret?', 'a');
    const variant = await askAs('  how do i ADD a secret ', 'b');

    expect(variant.final?.cached).toBe(true);
    expect(standin.requests).toHaveLength(1);
  });

  it('misses after the index version changes', async () => {
    await askAs('How do I add a secret?', 'a');
    retriever.version = 'v2';
    const after = await askAs('How do I add a secret?', 'b');

    expect(after.final?.cached).toBe(false);
    expect(standin.requests).toHaveLength(2);
  });

  it('does not cache follow-ups', async () => {
    await askAs('How do I add a secret?', 'a');
    await askAs('Which port does a Docker Space use?', 'a');
    const other = await askAs('Which port does a Docker Space use?', 'b');

    expect(other.final?.cached).toBe(false);
  });

  it('does not cache an interrupted answer', async () => {
    standin.script({ tokens: ['Use', ' Settings'], fault: { kind: 'cut', afterTokens: 1 } });
    const broken = await askAs('How do I add a secret?', 'a');
    const again = await askAs('How do I add a secret?', 'b');

    expect(broken.final?.end).toBe('interrupted');
    expect(again.final?.cached).toBe(false);
    expect(again.final?.end).toBe('complete');
  });

  it('records lookups in metrics', async () => {
    await askAs('How do I add a secret?', 'a');
    await askAs('How do I add a secret?', 'b');

    const values = (await metrics.cacheLookups.get()).values.filter((v) => v.labels.cache === 'answer');
    expect(values.find((v) => v.labels.result === 'hit')?.value).toBe(1);
    expect(values.find((v) => v.labels.result === 'miss')?.value).toBe(1);
    const outcomes = (await metrics.questions.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(outcomes).toContainEqual(['cached', 1]);
  });

  it('keeps the cached turn as session history', async () => {
    await askAs('How do I add a secret?', 'a');
    await askAs('How do I add a secret?', 'b');
    await askAs('and for datasets?', 'b');

    expect(retriever.queries.at(-1)).toBe('How do I add a secret? and for datasets?');
  });
});
