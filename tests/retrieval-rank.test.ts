import { describe, expect, it } from 'vitest';
import { Bm25Index, tokenize } from '../src/engine/retrieval/bm25.js';
import { collapseNearDuplicates, isRelevant, rankCandidates, rrfK, type Candidate, type RelevanceRule } from '../src/engine/retrieval/rank.js';
import type { Chunk } from '../src/engine/types.js';

function chunk(id: number, source: string, text: string, heading = ''): Chunk {
  return { id, source, heading, lineStart: 1, lineEnd: 1, text };
}

const chunks = [
  chunk(0, 'hub/spaces-secrets.md', 'Add secrets in the Space settings; they are exposed as environment variables.', 'Spaces > Secrets'),
  chunk(1, 'hub/billing.md', 'PRO subscriptions are paid by credit card.'),
  chunk(2, 'hub/webhooks.md', 'Webhooks send a POST request when a repository changes.'),
  chunk(3, 'hub/webhooks.md', 'Webhooks send a POST request when a repository changes again.'),
  chunk(4, 'hub/gguf.md', 'GGUF quantization types such as Q4_K use about 4.5 bits per weight.'),
];

const rule: RelevanceRule = { minCoverage: 0.25, minDense: 0.5, denseAloneInHybrid: false };

describe('tokenize', () => {
  it('drops stopwords, single letters and plural endings', () => {
    expect(tokenize("How do I add my Space's secrets to libraries?")).toEqual(['add', 'space', 'secret', 'library']);
  });
});

describe('Bm25Index', () => {
  const index = new Bm25Index(chunks);

  it('ranks the chunk with the query terms first', () => {
    const [best] = index.search('space secrets environment variables', 3);
    expect(best?.id).toBe(0);
    expect(best?.coverage).toBe(1);
    expect(best?.matched).toBe(4);
  });

  it('matches words of the source path', () => {
    const [best] = index.search('billing', 3);
    expect(best?.id).toBe(1);
  });

  it('returns nothing for unknown words', () => {
    expect(index.search('zanzibar quokka', 3)).toEqual([]);
  });

  it('weighs coverage by IDF', () => {
    const rare = index.match('gguf webhooks', 4);
    const common = index.match('gguf webhooks', 2);
    expect(rare.matched).toBe(1);
    expect(common.matched).toBe(1);
    // "webhooks" is in two chunks and "gguf" in one, so gguf carries more weight.
    expect(rare.coverage).toBeGreaterThan(common.coverage);
  });
});

describe('rankCandidates', () => {
  const none = () => ({ coverage: 0, matched: 0, queryTerms: 2 });

  it('fuses by reciprocal rank', () => {
    const dense = [
      { id: 1, score: 0.9 },
      { id: 2, score: 0.8 },
    ];
    const lexical = [
      { id: 2, score: 10, coverage: 1, matched: 2, queryTerms: 2 },
      { id: 3, score: 5, coverage: 0.5, matched: 1, queryTerms: 2 },
    ];
    const fused = rankCandidates('hybrid', dense, lexical, none);
    expect(fused.map((candidate) => candidate.id)).toEqual([2, 1, 3]);
    expect(fused[0]?.score).toBeCloseTo(1 / (rrfK + 2) + 1 / (rrfK + 1));
    expect(fused[0]).toMatchObject({ dense: 0.8, lexical: 10, coverage: 1 });
  });

  it('looks up lexical coverage of dense-only candidates', () => {
    const fused = rankCandidates('hybrid', [{ id: 7, score: 0.3 }], [], (id) => ({ coverage: id / 10, matched: 2, queryTerms: 2 }));
    expect(fused[0]?.coverage).toBeCloseTo(0.7);
  });
});

describe('isRelevant', () => {
  const candidate = (fields: Partial<Candidate>): Candidate => ({ id: 0, coverage: 0, matched: 0, queryTerms: 3, score: 0, ...fields });

  it('needs coverage and two matched terms for lexical evidence', () => {
    expect(isRelevant(candidate({ coverage: 0.6, matched: 2 }), 'lexical', rule)).toBe(true);
    expect(isRelevant(candidate({ coverage: 0.6, matched: 1 }), 'lexical', rule)).toBe(false);
    expect(isRelevant(candidate({ coverage: 0.1, matched: 2 }), 'lexical', rule)).toBe(false);
    expect(isRelevant(candidate({ coverage: 1, matched: 1, queryTerms: 1 }), 'lexical', rule)).toBe(true);
  });

  it('does not let a dense score alone pass in hybrid mode', () => {
    expect(isRelevant(candidate({ dense: 0.99 }), 'hybrid', rule)).toBe(false);
    expect(isRelevant(candidate({ dense: 0.99 }), 'hybrid', { ...rule, denseAloneInHybrid: true })).toBe(true);
    expect(isRelevant(candidate({ dense: 0.1, coverage: 0.5, matched: 2 }), 'hybrid', rule)).toBe(true);
  });

  it('uses the dense floor in dense mode', () => {
    expect(isRelevant(candidate({ dense: 0.6 }), 'dense', rule)).toBe(true);
    expect(isRelevant(candidate({ dense: 0.4, coverage: 1, matched: 3 }), 'dense', rule)).toBe(false);
  });
});

describe('collapseNearDuplicates', () => {
  const candidates = [0, 2, 3, 1, 4].map((id) => ({ id, coverage: 1, matched: 1, queryTerms: 1, score: 1 }));

  it('drops a near-duplicate of the same source', () => {
    expect(collapseNearDuplicates(candidates, chunks, 10).map((c) => c.id)).toEqual([0, 2, 1, 4]);
  });

  it('keeps near-duplicates from different sources', () => {
    const copies = [...chunks, chunk(5, 'hub/other.md', chunks[2]!.text)];
    const withCopy = [...candidates, { id: 5, coverage: 1, matched: 1, queryTerms: 1, score: 1 }];
    expect(collapseNearDuplicates(withCopy, copies, 10).map((c) => c.id)).toContain(5);
  });

  it('stops at the limit', () => {
    expect(collapseNearDuplicates(candidates, chunks, 2)).toHaveLength(2);
  });
});
