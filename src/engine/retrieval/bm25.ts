// Lexical retrieval: Okapi BM25 over the chunks' source path, heading path and
// text, with a query-coverage measure used as the minimum-relevance rule.
import type { Chunk } from '../types.js';

/** BM25 term-frequency saturation. */
const k1 = 1.2;
/** BM25 length normalisation. */
const b = 0.75;

/** Words too common to say anything about relevance. */
const stopwords = new Set(
  (
    'a about above after again all also am an and any are as at be been before being below between both but by can ' +
    'could did do does doing done down during each either else etc few for from further get gets got had has have having ' +
    'he her here hers him his how i if in into is it its itself just like me might more most much must my myself need ' +
    'needs no nor not now of off on once one only or other our ours out over own please same shall she should so some ' +
    'still such than that the their theirs them then there these they this those through thus to too under until up upon ' +
    'us use used using very via want was way we were what when where whether which while who whom whose why will with ' +
    'within without would yes yet you your yours yourself'
  ).split(' '),
);

/** Splits text into lowercase terms: letters and digits, stopwords and single letters dropped, plural endings removed. */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    // Single letters are mostly the tails of contractions ("space's", "doesn't").
    if (stopwords.has(word) || (word.length === 1 && /\p{L}/u.test(word))) continue;
    terms.push(stem(word));
  }
  return terms;
}

/** Removes plural endings, enough to match `models` with `model` and `libraries` with `library`. */
function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}

/** Words of a chunk's source path, e.g. `hub/spaces-overview.md` gives `spaces overview`. */
function pathWords(source: string): string {
  return source.replace(/\.[a-z]+$/i, '').replace(/[/_-]+/g, ' ');
}

/** One lexical match. */
export interface LexicalHit {
  id: number;
  score: number;
  /** Share of the query's term weight (IDF) that the chunk contains, from 0 to 1. */
  coverage: number;
  /** Distinct query terms that the chunk contains. */
  matched: number;
  /** Distinct terms of the query. */
  queryTerms: number;
}

/** An in-memory BM25 index over a fixed list of chunks. */
export class Bm25Index {
  private readonly postings = new Map<string, { id: number; tf: number }[]>();
  private readonly lengths: Uint32Array;
  private readonly termSets: Set<string>[] = [];
  private readonly averageLength: number;

  constructor(chunks: readonly Chunk[]) {
    this.lengths = new Uint32Array(chunks.length);
    let total = 0;
    chunks.forEach((chunk, id) => {
      const terms = tokenize(`${pathWords(chunk.source)} ${chunk.heading} ${chunk.text}`);
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, tf] of counts) {
        let list = this.postings.get(term);
        if (list === undefined) this.postings.set(term, (list = []));
        list.push({ id, tf });
      }
      this.lengths[id] = terms.length;
      this.termSets.push(new Set(counts.keys()));
      total += terms.length;
    });
    this.averageLength = chunks.length > 0 ? total / chunks.length : 0;
  }

  /** Number of indexed chunks. */
  get size(): number {
    return this.lengths.length;
  }

  /** Inverse document frequency (BM25+ style, never negative); unseen terms get the highest value. */
  idf(term: string): number {
    const df = this.postings.get(term)?.length ?? 0;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** Returns up to `limit` chunks by BM25 score, best first, with their query coverage. */
  search(query: string, limit: number): LexicalHit[] {
    const terms = [...new Set(tokenize(query))];
    if (terms.length === 0 || this.size === 0) return [];

    const scores = new Map<number, number>();
    for (const term of terms) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const idf = this.idf(term);
      for (const { id, tf } of list) {
        const norm = tf + k1 * (1 - b + (b * (this.lengths[id] as number)) / this.averageLength);
        scores.set(id, (scores.get(id) ?? 0) + (idf * tf * (k1 + 1)) / norm);
      }
    }

    return [...scores.entries()]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, limit)
      .map(([id, score]) => ({ id, score, ...this.matchOf(terms, id) }));
  }

  /** Measures how much of the query chunk `id` contains: IDF-weighted share and count of distinct terms. */
  match(query: string, id: number): Omit<LexicalHit, 'id' | 'score'> {
    return this.matchOf([...new Set(tokenize(query))], id);
  }

  private matchOf(terms: string[], id: number): Omit<LexicalHit, 'id' | 'score'> {
    const set = this.termSets[id];
    let total = 0;
    let present = 0;
    let matched = 0;
    for (const term of terms) {
      const weight = this.idf(term);
      total += weight;
      if (set?.has(term)) {
        present += weight;
        matched++;
      }
    }
    return { coverage: total > 0 ? present / total : 0, matched, queryTerms: terms.length };
  }
}
