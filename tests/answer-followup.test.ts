// Follow-up detection: which questions are searched together with the previous
// one, and the retry with the question alone when that search finds nothing.
import { describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../src/engine/answer/engine.js';
import { buildRetrievalQuery, followUpWindowMs, isFollowUp } from '../src/engine/answer/prompt.js';
import type { Turn } from '../src/engine/session/store.js';
import { silentLogger } from '../src/observability/logger.js';
import { collectAnswer, fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';

const now = 1_700_000_000_000;
const previous: Turn = { question: 'How do I add a secret to a Space?', answer: 'Use Settings.', at: now - 60_000 };

describe('isFollowUp', () => {
  const followUps = [
    'and for datasets?',
    'Also for private Spaces?',
    'what about models?',
    'How about the free tier?',
    'then what?',
    'why?',
    'why not?',
    'Is it free?',
    'How do I delete it?',
    'Can those be shared with my organization?',
  ];
  for (const question of followUps) {
    it(`treats "${question}" as a follow-up`, () => {
      expect(isFollowUp(question, previous, now)).toBe(true);
    });
  }

  const newTopics = [
    'rollback',
    'kiwi',
    'deploy rollback',
    'Docker port',
    'Which port does a Docker Space listen on by default?',
    'Why does my Docker Space restart after every build on the free hardware?',
    'How do I use it with a model card that is longer than the default size limit allows?',
    'Is iterating over items slow?',
  ];
  for (const question of newTopics) {
    it(`treats "${question}" as a new topic`, () => {
      expect(isFollowUp(question, previous, now)).toBe(false);
    });
  }

  it('ignores a stale previous turn', () => {
    const stale = { ...previous, at: now - followUpWindowMs - 1 };

    expect(isFollowUp('and for datasets?', stale, now)).toBe(false);
  });

  it('accepts a turn at the window edge', () => {
    const edge = { ...previous, at: now - followUpWindowMs };

    expect(isFollowUp('and for datasets?', edge, now)).toBe(true);
  });

  it('needs a previous turn', () => {
    expect(isFollowUp('and for datasets?', undefined, now)).toBe(false);
  });
});

describe('buildRetrievalQuery', () => {
  it('prefixes a follow-up with the previous question', () => {
    expect(buildRetrievalQuery(' and for datasets? ', [previous], now)).toBe('How do I add a secret to a Space? and for datasets?');
  });

  it('keeps a new topic alone', () => {
    expect(buildRetrievalQuery('rollback', [previous], now)).toBe('rollback');
  });
});

describe('answer engine: follow-up retrieval', () => {
  function engineAt(clock: { now: number }) {
    const retriever = fakeRetriever();
    const engine = createAnswerEngine({
      config: testConfig({ ANSWER_CACHE_MAX: '0' }),
      logger: silentLogger(),
      retriever,
      chatModel: null,
      now: () => clock.now,
    });
    return { engine, retriever };
  }

  it('searches a short unrelated question alone', async () => {
    const { engine, retriever } = engineAt({ now });
    await collectAnswer(engine.ask({ question: 'How do I add a secret to a Space?', session: sessionKey() }));

    await collectAnswer(engine.ask({ question: 'rollback', session: sessionKey() }));

    expect(retriever.queries).toEqual(['How do I add a secret to a Space?', 'rollback']);
  });

  it('searches a late follow-up alone', async () => {
    const clock = { now };
    const { engine, retriever } = engineAt(clock);
    await collectAnswer(engine.ask({ question: 'How do I add a secret to a Space?', session: sessionKey() }));

    clock.now += followUpWindowMs + 60_000;
    await collectAnswer(engine.ask({ question: 'and for datasets?', session: sessionKey() }));

    expect(retriever.queries[1]).toBe('and for datasets?');
  });

  it('retries alone when the combined search finds nothing', async () => {
    const { engine, retriever } = engineAt({ now });
    // The fake retriever finds nothing for a query that contains "nothing".
    await collectAnswer(engine.ask({ question: 'Is there nothing about quotas?', session: sessionKey() }));

    const { final } = await collectAnswer(engine.ask({ question: 'and for datasets?', session: sessionKey() }));

    expect(retriever.queries.slice(1)).toEqual(['Is there nothing about quotas? and for datasets?', 'and for datasets?']);
    expect(final?.end).toBe('complete');
    expect(final?.timings.embedMs).toBe(2);
  });

  it('does not retry a new topic that finds nothing', async () => {
    const { engine, retriever } = engineAt({ now });
    await collectAnswer(engine.ask({ question: 'How do I add a secret to a Space?', session: sessionKey() }));

    const { final } = await collectAnswer(engine.ask({ question: 'nothing', session: sessionKey() }));

    expect(retriever.queries).toHaveLength(2);
    expect(final?.end).toBe('not_found');
  });
});
