// The knowledge base facade: ingest a folder, and open the index for search.
// The answering engine and the CLI use only what this module exports.
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { createEmbedder, type Embedder } from './embedding/embedder.js';
import { hasIndex } from './index/layout.js';
import { QueryEmbeddingCache } from './retrieval/query-cache.js';
import { describeIndex, loadIndex, relevanceRule, searchLoaded, type LoadedIndex } from './retrieval/retriever.js';
import type { IndexInfo, Retriever, SearchOptions, SearchResult } from './types.js';

export { createEmbedder, type Embedder } from './embedding/embedder.js';
export { EmbeddingModelError, EmbeddingShapeError, ModelCacheDirError } from './embedding/errors.js';
export { embeddingText } from './ingest/chunker.js';
export { SourceNotFoundError } from './ingest/loaders.js';
export { IngestFileError } from './ingest/source-chunks.js';
export { ingestFolder, type IngestHooks, type IngestOptions, type IngestProgress, type IngestReport, type WriteStep } from './ingest/pipeline.js';
export { IndexCorruptError, IndexMismatchError, IndexNotFoundError, IngestLockedError } from './index/errors.js';
export { hasIndex };

/** A retriever over the index in the data folder that can pick up a re-ingest. */
export interface KnowledgeBase extends Retriever {
  readonly embedder: Embedder;
  /** Re-reads the active index from disk; searches keep using the old one until the new one is loaded. */
  reload(): Promise<void>;
  /** Releases the index and, when the knowledge base created it, the embedder. */
  close(): Promise<void>;
}

/** Options of `openKnowledgeBase`. */
export interface OpenOptions {
  config: Config;
  logger: Logger;
  /** Embedder to use; by default one is created from the config and closed by `close()`. */
  embedder?: Embedder;
}

/**
 * Opens the index in `config.dataDir`. Throws `IndexNotFoundError` when there is no
 * index and `IndexMismatchError` when it was built with another model, vector size or dtype.
 */
export async function openKnowledgeBase(options: OpenOptions): Promise<KnowledgeBase> {
  const embedder = options.embedder ?? (await createEmbedder(options.config, options.logger));
  try {
    const index = await loadIndex(options.config.dataDir, embedder);
    return new LocalKnowledgeBase(options, embedder, index, options.embedder === undefined);
  } catch (error) {
    if (options.embedder === undefined) await embedder.close?.();
    throw error;
  }
}

class LocalKnowledgeBase implements KnowledgeBase {
  private readonly queries: QueryEmbeddingCache;
  private readonly log: Logger;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly options: OpenOptions,
    readonly embedder: Embedder,
    private index: LoadedIndex,
    private readonly ownsEmbedder: boolean,
  ) {
    const { config } = options;
    this.log = options.logger.child({ component: 'knowledge' });
    this.queries = new QueryEmbeddingCache(embedder, { maxEntries: config.embeddingCacheMax, maxConcurrent: config.maxConcurrentEmbeddings });
    this.log.info({ ...describeIndex(index), dir: index.dir }, 'index loaded');
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    const { config } = this.options;
    const mode = options.mode ?? config.searchMode;
    const k = options.k ?? config.searchTopK;
    const index = this.index;

    const embedStarted = performance.now();
    const vector = mode === 'lexical' ? undefined : await this.queries.embed(query, options.signal);
    const embedMs = performance.now() - embedStarted;
    options.signal?.throwIfAborted();

    const searchStarted = performance.now();
    const rule = relevanceRule(index.manifest, { minCoverage: config.minLexicalCoverage, minDenseScore: config.minDenseScore });
    const hits = searchLoaded(index, query, vector, mode, k, rule);
    return { hits, timings: { embedMs, searchMs: performance.now() - searchStarted } };
  }

  info(): IndexInfo {
    return describeIndex(this.index);
  }

  cacheStats(): { hits: number; misses: number; size: number } {
    return this.queries.stats();
  }

  reload(): Promise<void> {
    // Concurrent reload calls share one load.
    this.reloading ??= this.load().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  async close(): Promise<void> {
    if (this.ownsEmbedder) await this.embedder.close?.();
  }

  private async load(): Promise<void> {
    const next = await loadIndex(this.options.config.dataDir, this.embedder);
    const previous = this.index.manifest.version;
    this.index = next;
    this.log.info({ ...describeIndex(next), previous }, 'index reloaded');
  }
}
