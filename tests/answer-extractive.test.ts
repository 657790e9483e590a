// Extractive mode, the default without HF_TOKEN or LLM_ENDPOINT_URL: the best
// passages quoted with their sources, streamed as deltas.
import { describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../src/engine/answer/engine.js';
import { buildExtractiveAnswer, excerpt } from '../src/engine/answer/extractive.js';
import { defaultProfiles } from '../src/engine/answer/profiles.js';
import { createChatModel } from '../src/engine/llm/chat-model.js';
import type { Chunk } from '../src/engine/types.js';
import { silentLogger } from '../src/observability/logger.js';
import { cannedChunks, collectAnswer, fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';

describe('extractive answers', () => {
  const config = testConfig({ SOURCE_BASE_URLS: 'hub/=https://huggingface.co/docs/hub/' });

  function engine() {
    return createAnswerEngine({ config, logger: silentLogger(), retriever: fakeRetriever(), chatModel: createChatModel(config, silentLogger()) });
  }

  it('quotes the top passages with citations', async () => {
    const { final, deltas } = await collectAnswer(engine().ask({ question: 'How do I add a secret?', session: sessionKey() }));

    expect(final?.end).toBe('complete');
    expect(final?.answer).toContain('**Spaces > Secrets (hub/spaces-overview.md)** [1]\n> Add secrets in the Settings tab');
    expect(final?.answer).toContain('[2]');
    expect(final?.answer).toContain('[3]');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(final?.answer);
  });

  it('lists the quoted sources in citation order', async () => {
    const { final } = await collectAnswer(engine().ask({ question: 'How do I add a secret?', session: sessionKey() }));

    expect(final?.sources.map((s) => [s.index, s.path])).toEqual([
      [1, 'hub/spaces-overview.md'],
      [2, 'hub/spaces-sdks-docker.md'],
      [3, 'hub/repositories.md'],
    ]);
    expect(final?.sources[0]?.url).toBe('https://huggingface.co/docs/hub/spaces-overview');
  });

  it('quotes fewer passages in compact', async () => {
    const { final } = await collectAnswer(engine().ask({ question: 'How do I add a secret?', session: sessionKey(), profile: 'compact' }));

    expect(final?.sources).toHaveLength(2);
    expect(final?.answer).not.toContain('[3]');
  });

  it('quotes one passage per section', () => {
    const twice: Chunk = { ...cannedChunks[0]!, id: 9, text: 'More about secrets.' };
    const hits = [cannedChunks[0]!, twice, cannedChunks[1]!].map((chunk, index) => ({ chunk, score: 1 - index / 10, rank: index + 1 }));

    const { sources } = buildExtractiveAnswer(hits, defaultProfiles.normal, {});

    expect(sources.map((s) => s.path)).toEqual(['hub/spaces-overview.md', 'hub/spaces-sdks-docker.md']);
    expect(sources.map((s) => s.score)).toEqual([1, 0.8]);
  });
});

describe('excerpt', () => {
  it('keeps a short passage whole', () => {
    expect(excerpt('Short text.', 100)).toBe('Short text.');
  });

  it('drops a leading heading line', () => {
    expect(excerpt('## Secrets\n\nUse the Settings tab.', 100)).toBe('Use the Settings tab.');
  });

  it('cuts after a sentence', () => {
    const text = `${'a'.repeat(60)}. ${'b'.repeat(60)}.`;

    expect(excerpt(text, 100)).toBe(`${'a'.repeat(60)}. …`);
  });

  it('closes a code fence left open by the cut', () => {
    const text = `Run this:\n\`\`\`bash\n${'echo hi\n'.repeat(20)}\`\`\``;

    const cut = excerpt(text, 60);

    expect(cut.match(/```/g)).toHaveLength(2);
    expect(cut.endsWith('```')).toBe(true);
  });
});
