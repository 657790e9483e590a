// Cache of complete answers to first-turn questions. The key folds case,
// punctuation and whitespace of the question and adds the profile and the
// index version, so a rebuilt index never serves an answer from the old one.
import { LRUCache } from 'lru-cache';
import type { AnswerEnd, AnswerProfile, AnswerSource } from '../types.js';

/** A cached answer, replayed as a stream on a hit. */
export interface CachedAnswer {
  answer: string;
  sources: AnswerSource[];
  end: AnswerEnd;
}

/** Hit and miss counts and current size of a cache. */
export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** Options of `AnswerCache`. */
export interface AnswerCacheOptions {
  /** Maximum answers kept; 0 disables the cache. */
  max: number;
  /** Time in ms an answer stays valid after it was stored. */
  ttlMs: number;
  /** Clock in epoch ms; tests inject their own. */
  now?: () => number;
}

/**
 * Folds a question for cache lookups: Unicode-normalised, lower case, punctuation
 * removed, whitespace collapsed. "How do I add my docs?" and "how do i add  my docs"
 * give the same key.
 */
export function normalizeQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** LRU cache of complete answers with hit and miss counters. */
export class AnswerCache {
  private readonly cache: LRUCache<string, CachedAnswer> | undefined;
  private indexVersion: string | undefined;
  private hits = 0;
  private misses = 0;

  constructor(options: AnswerCacheOptions) {
    if (options.max > 0) {
      this.cache = new LRUCache<string, CachedAnswer>({
        max: options.max,
        ttl: options.ttlMs,
        perf: { now: options.now ?? Date.now },
        ttlResolution: 0,
      });
    }
  }

  /**
   * Looks up an answer and counts the hit or miss. `countMiss: false` counts only a hit,
   * for a second look at a question whose miss was counted already.
   */
  get(question: string, profile: AnswerProfile, indexVersion: string, options: { countMiss?: boolean } = {}): CachedAnswer | undefined {
    this.checkVersion(indexVersion);
    const found = this.cache?.get(answerCacheKey(question, profile, indexVersion));
    if (found !== undefined) this.hits += 1;
    else if (options.countMiss ?? true) this.misses += 1;
    return found === undefined ? undefined : structuredClone(found);
  }

  /** Stores a complete answer. */
  set(question: string, profile: AnswerProfile, indexVersion: string, answer: CachedAnswer): void {
    this.checkVersion(indexVersion);
    this.cache?.set(answerCacheKey(question, profile, indexVersion), structuredClone(answer));
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.cache?.size ?? 0 };
  }

  /** Drops every entry when the index version changes, since they can never hit again. */
  private checkVersion(indexVersion: string): void {
    if (this.indexVersion !== undefined && this.indexVersion !== indexVersion) this.cache?.clear();
    this.indexVersion = indexVersion;
  }
}

/** Returns the cache key of a question: index version, profile and folded question. */
export function answerCacheKey(question: string, profile: AnswerProfile, indexVersion: string): string {
  return JSON.stringify([indexVersion, profile, normalizeQuestion(question)]);
}
