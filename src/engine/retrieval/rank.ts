// Ranking: reciprocal rank fusion of the dense and lexical lists, the
// minimum-relevance rule, and collapsing of near-duplicate chunks.
import type { Chunk, SearchMode } from '../types.js';
import { tokenize, type LexicalHit } from './bm25.js';

/** RRF damping constant; 60 is the value from the original RRF paper (Cormack et al., 2009). */
export const rrfK = 60;

/** Jaccard similarity of word sets above which two chunks of one source count as near-duplicates. */
export const nearDuplicateJaccard = 0.6;

/** Distinct query terms a chunk must contain for lexical evidence (fewer when the query has fewer): one rare shared word is chance. */
export const minMatchedTerms = 2;

/** A chunk found by at least one retriever, with everything the relevance rule needs. */
export interface Candidate {
  id: number;
  /** Cosine similarity from FAISS, when the chunk was in the dense list. */
  dense?: number;
  /** BM25 score, when the chunk was in the lexical list. */
  lexical?: number;
  /** Share of the query's IDF weight that the chunk contains. */
  coverage: number;
  /** Distinct query terms that the chunk contains, and in the query. */
  matched: number;
  queryTerms: number;
  /** Score of the mode: cosine, BM25 or the fused RRF score. */
  score: number;
}

/**
 * Minimum relevance. Lexical evidence: the chunk contains at least `minCoverage`
 * of the query's IDF weight and at least `minMatchedTerms` of its terms. Dense evidence: its cosine reaches `minDense`.
 *
 * Lexical mode needs lexical evidence and dense mode dense evidence. Hybrid mode
 * needs lexical evidence, and accepts dense evidence alone only when
 * `denseAloneInHybrid` is set (an operator-calibrated MIN_DENSE_SCORE). A cosine
 * threshold means different things for different models, and a model whose
 * vectors are all alike would otherwise let noise through for every question.
 */
export interface RelevanceRule {
  minCoverage: number;
  minDense: number;
  denseAloneInHybrid: boolean;
}

/** Builds the candidates of one query for `mode`, best first, before the relevance rule. */
export function rankCandidates(
  mode: SearchMode,
  dense: { id: number; score: number }[],
  lexical: LexicalHit[],
  matchOf: (id: number) => Omit<LexicalHit, 'id' | 'score'>,
): Candidate[] {
  if (mode === 'lexical') return lexical.map((hit) => ({ ...hit, lexical: hit.score }));
  if (mode === 'dense') return dense.map((hit) => ({ id: hit.id, dense: hit.score, ...matchOf(hit.id), score: hit.score }));

  const byId = new Map<number, Candidate>();
  const entry = (id: number): Candidate => {
    let candidate = byId.get(id);
    if (candidate === undefined) byId.set(id, (candidate = { id, coverage: 0, matched: 0, queryTerms: 0, score: 0 }));
    return candidate;
  };
  dense.forEach((hit, rank) => {
    const candidate = entry(hit.id);
    candidate.dense = hit.score;
    candidate.score += 1 / (rrfK + rank + 1);
  });
  lexical.forEach((hit, rank) => {
    const candidate = entry(hit.id);
    Object.assign(candidate, { lexical: hit.score, coverage: hit.coverage, matched: hit.matched, queryTerms: hit.queryTerms });
    candidate.score += 1 / (rrfK + rank + 1);
  });
  for (const candidate of byId.values()) if (candidate.lexical === undefined) Object.assign(candidate, matchOf(candidate.id));
  return [...byId.values()].sort((x, y) => y.score - x.score || x.id - y.id);
}

/** Applies the relevance rule of `mode`: lexical evidence, dense evidence, or either for hybrid. */
export function isRelevant(candidate: Candidate, mode: SearchMode, rule: RelevanceRule): boolean {
  // NOTE: questions near the corpus's subject that it does not answer (deleting an account, webhook
  // retries) share enough words with real chunks to pass this rule. Only unrelated questions are declined.
  const lexicalEvidence = candidate.coverage >= rule.minCoverage && candidate.matched >= Math.min(minMatchedTerms, candidate.queryTerms);
  const denseEvidence = candidate.dense !== undefined && candidate.dense >= rule.minDense;
  if (mode === 'lexical') return lexicalEvidence;
  if (mode === 'dense') return denseEvidence;
  return lexicalEvidence || (rule.denseAloneInHybrid && denseEvidence);
}

/** Keeps candidates in order, dropping any whose words nearly repeat a kept chunk of the same source. */
export function collapseNearDuplicates(candidates: Candidate[], chunks: readonly Chunk[], limit: number): Candidate[] {
  const kept: { candidate: Candidate; source: string; words: Set<string> }[] = [];
  for (const candidate of candidates) {
    if (kept.length >= limit) break;
    const chunk = chunks[candidate.id];
    if (chunk === undefined) continue;
    const words = new Set(tokenize(chunk.text));
    const duplicate = kept.some((other) => other.source === chunk.source && jaccard(other.words, words) >= nearDuplicateJaccard);
    if (!duplicate) kept.push({ candidate, source: chunk.source, words });
  }
  return kept.map((entry) => entry.candidate);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}
