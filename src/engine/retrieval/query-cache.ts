// Query embeddings: an LRU cache in front of the embedder, one shared promise
// per query in flight, and a cap on concurrent embedding calls.
import { LRUCache } from 'lru-cache';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Embedder } from '../embedding/embedder.js';

/** Embeds queries through a bounded LRU cache, counting hits and misses. */
export class QueryEmbeddingCache {
  private readonly cache: LRUCache<string, Float32Array> | undefined;
  private readonly inFlight = new Map<string, Promise<Float32Array>>();
  private readonly limit: LimitFunction;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly embedder: Embedder,
    options: { maxEntries: number; maxConcurrent: number },
  ) {
    // lru-cache needs max >= 1, so a size of 0 turns caching off.
    this.cache = options.maxEntries > 0 ? new LRUCache({ max: options.maxEntries }) : undefined;
    this.limit = pLimit(options.maxConcurrent);
  }

  /** Returns the embedding of `query`, from the cache when it was embedded before. */
  async embed(query: string, signal?: AbortSignal): Promise<Float32Array> {
    const key = query.trim().replace(/\s+/g, ' ');
    const cached = this.cache?.get(key);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;

    // Identical queries arriving together share one embedding call.
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.limit(async () => {
        const [vector] = await this.embedder.embed([key]);
        if (vector === undefined) throw new Error(`embedder ${this.embedder.modelId} returned no vector for the query`);
        this.cache?.set(key, vector);
        return vector;
      }).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return signal === undefined ? pending : abortable(pending, signal);
  }

  /** Hit and miss counts since start, and the number of cached queries. */
  stats(): { hits: number; misses: number; size: number } {
    return { hits: this.hits, misses: this.misses, size: this.cache?.size ?? 0 };
  }
}

/** Rejects when `signal` aborts; the shared embedding call itself carries on for the other callers. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
