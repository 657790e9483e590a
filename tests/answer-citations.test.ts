// Checked citations: the streaming filter on its own, and end to end through
// the engine with the LLM stand-in answering with valid and invalid markers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CitationFilter, citedSources, sourceUrl, stripCitations } from '../src/engine/answer/citations.js';
import { createAnswerEngine } from '../src/engine/answer/engine.js';
import { HfChatModel } from '../src/engine/llm/chat-model.js';
import { silentLogger } from '../src/observability/logger.js';
import { cannedChunks, collectAnswer, fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';

/** Runs the filter over `pieces` and returns every shown delta. */
function filterPieces(sourceCount: number, pieces: string[]): { deltas: string[]; text: string; cited: readonly number[] } {
  const filter = new CitationFilter(sourceCount);
  const deltas = pieces.map((piece) => filter.push(piece));
  deltas.push(filter.flush());
  return { deltas, text: deltas.join(''), cited: filter.cited };
}

describe('CitationFilter', () => {
  it('keeps valid markers and drops invalid ones', () => {
    const { text } = filterPieces(3, ['Use Settings [1]. Port 7860 [7]. Git [3].']);

    expect(text).toBe('Use Settings [1]. Port 7860. Git [2].');
  });

  it('renumbers in order of first citation', () => {
    const { text, cited } = filterPieces(3, ['A [3]. B [1]. C [3].']);

    expect(text).toBe('A [1]. B [2]. C [1].');
    expect(cited).toEqual([3, 1]);
  });

  it('splits groups and drops invalid members', () => {
    const { text, cited } = filterPieces(3, ['Both [2, 9, 1].']);

    expect(text).toBe('Both [1][2].');
    expect(cited).toEqual([2, 1]);
  });

  it('never shows a partial marker at a delta end', () => {
    const { deltas, text } = filterPieces(2, ['Set it [', '1', '] and not [', '12', '].']);

    for (const delta of deltas) expect(delta).not.toMatch(/\[\d*$/);
    expect(text).toBe('Set it [1] and not.');
  });

  it('never shows an invalid marker split across deltas', () => {
    const { deltas } = filterPieces(2, ['See [', '5', ']', ' here.']);

    expect(deltas.join('')).toBe('See here.');
    expect(deltas.some((delta) => delta.includes('5'))).toBe(false);
  });

  it('leaves markers in code alone', () => {
    const { text, cited } = filterPieces(1, ['Run `x[0]` and\n```py\nrows[5]\n```\nthen [1].']);

    expect(text).toBe('Run `x[0]` and\n```py\nrows[5]\n```\nthen [1].');
    expect(cited).toEqual([1]);
  });

  it('leaves code fences split across deltas intact', () => {
    const { text } = filterPieces(1, ['``', '`\nitems[4]\n`', '``\nok [1]']);

    expect(text).toBe('```\nitems[4]\n```\nok [1]');
  });

  it('ends a stray inline backtick at the line end', () => {
    const { text } = filterPieces(1, ['a ` b\nthen [4] and [1].']);

    expect(text).toBe('a ` b\nthen and [1].');
  });

  it('keeps brackets that are not markers', () => {
    const { text } = filterPieces(1, ['See [the guide](https://x.y) and [note] [1', ']']);

    expect(text).toBe('See [the guide](https://x.y) and [note] [1]');
  });

  it('shows an unfinished marker as text at the end', () => {
    const { text } = filterPieces(1, ['Ends with [1']);

    expect(text).toBe('Ends with [1');
  });
});

describe('citation helpers', () => {
  it('strips markers for history', () => {
    expect(stripCitations('Use Settings [1]. Then [2, 3] go.')).toBe('Use Settings. Then go.');
  });

  it('builds links from the longest prefix', () => {
    const baseUrls = { 'hub/': 'https://huggingface.co/docs/hub/', 'hub/api/': 'https://example.org/api' };

    expect(sourceUrl('hub/spaces-overview.md', baseUrls)).toBe('https://huggingface.co/docs/hub/spaces-overview');
    expect(sourceUrl('hub/api/list.mdx', baseUrls)).toBe('https://example.org/api/list');
    expect(sourceUrl('other/a.md', baseUrls)).toBeUndefined();
  });

  it('keeps the extension for repository file views', () => {
    const baseUrls = { 'docs/': 'https://github.com/o/r/blob/main/docs/' };

    expect(sourceUrl('docs/a b.md', baseUrls)).toBe('https://github.com/o/r/blob/main/docs/a%20b.md');
  });

  it('lists cited sources with their new numbers', () => {
    const hits = cannedChunks.map((chunk, index) => ({ chunk, score: 0.9 - index * 0.1, rank: index + 1 }));

    const sources = citedSources(hits, [3, 1], { 'hub/': 'https://h/' });

    expect(sources).toEqual([
      { index: 1, path: 'hub/repositories.md', heading: 'Repositories', score: 0.7, url: 'https://h/repositories' },
      { index: 2, path: 'hub/spaces-overview.md', heading: 'Spaces > Secrets', score: 0.9, url: 'https://h/spaces-overview' },
    ]);
  });
});

describe('citations through the engine', () => {
  let standin: LlmStandin;

  beforeAll(async () => {
    standin = await startLlmStandin();
  });

  afterAll(async () => {
    await standin.close();
  });

  it('keeps only valid markers and lists only cited sources', async () => {
    standin.script({ tokens: ['Docker', ' uses', ' 7860', ' [', '2', '].', ' Secrets', ' [9]', ' go', ' in', ' Settings', ' [2,', ' 1].'] });
    const engine = createAnswerEngine({
      config: testConfig({ LLM_ENDPOINT_URL: standin.url, SOURCE_BASE_URLS: 'hub/=https://huggingface.co/docs/hub/' }),
      logger: silentLogger(),
      retriever: fakeRetriever(),
      chatModel: new HfChatModel({ model: 'm', provider: 'auto', endpointUrl: standin.url, logger: silentLogger() }),
    });

    const { deltas, final } = await collectAnswer(engine.ask({ question: 'Port and secrets?', session: sessionKey() }));

    expect(final?.answer).toBe('Docker uses 7860 [1]. Secrets go in Settings [1][2].');
    expect(deltas.join('')).toBe(final?.answer);
    expect(final?.sources.map((s) => [s.index, s.path])).toEqual([
      [1, 'hub/spaces-sdks-docker.md'],
      [2, 'hub/spaces-overview.md'],
    ]);
    expect(final?.sources[0]?.url).toBe('https://huggingface.co/docs/hub/spaces-sdks-docker');
    for (const delta of deltas) expect(delta).not.toContain('9');
  });
});
