// Inputs and results of the child processes, shared by each child and the
// section that starts it. Times are in milliseconds and sizes in MB.
import type { BenchDtype } from './options.js';
import type { RagbotSetup } from './ragbot.js';
import type { LlmPace } from './serving.js';
import type { Summary } from './stats.js';

/** Input of `ingest-ragbot.ts` and `ingest-langchain.ts`. */
export interface IngestInput extends RagbotSetup {
  /** JSON file of chunk texts: written by the ragbot child, read by the LangChain child. */
  chunksFile: string;
  /** Questions for the dense query figures, each asked `queryRepeats` times. */
  questions: string[];
  queryRepeats: number;
  k: number;
}

/** Result of one ingest child. */
export interface IngestResult {
  impl: 'ragbot' | 'langchain';
  dtype: BenchDtype;
  chunks: number;
  /** Time to load the model and embed one text, not part of `ingestMs`. */
  modelLoadMs: number;
  /** Time to embed and index every chunk (for ragbot also reading and chunking the files). */
  ingestMs: number;
  chunksPerSecond: number;
  /** Embed, dense search and document lookup of one question, with no embedding cache. */
  query: Summary;
  peakRssMB: number;
  peakRssMethod: string;
  /** Implementation-specific figures, such as ragbot's ingest report. */
  details: Record<string, unknown>;
}

/** Input of `scale.ts`: a synthetic index built from the corpus index in `dataDir`. */
export interface ScaleInput extends RagbotSetup {
  /** Chunks of the synthetic index. */
  syntheticChunks: number;
  questions: string[];
  repeats: number;
  k: number;
  /** Folder for the synthetic index files. */
  workDir: string;
  /** Folder that keeps the HNSW index of the synthetic vectors between runs. */
  cacheDir: string;
  /** Build the HNSW index when the cache has none (minutes on 2 cores). */
  buildHnsw: boolean;
}

/** Latencies of one index kind at the synthetic size. */
export interface ScaleIndexResult {
  kind: 'flat' | 'hnsw';
  buildMs: number;
  /** Set when the index came from the cache: when its build time was measured. */
  buildCachedFrom?: string;
  /** Search time without the query embedding, per mode. */
  searchMs: Record<'dense' | 'lexical' | 'hybrid', Summary>;
}

/** Result of `scale.ts`. */
export interface ScaleResult {
  chunks: number;
  bm25BuildMs: number;
  indexes: ScaleIndexResult[];
  /** Index kind that ragbot picks at this size (HNSW_THRESHOLD). */
  configuredKind: 'flat' | 'hnsw';
  peakRssMB: number;
}

/** Input of `memory.ts`: a replay of questions, each from its own session. */
export interface MemoryInput extends RagbotSetup {
  pace: LlmPace;
  questions: string[];
  /** Questions asked at the same time. */
  parallel: number;
}

/** Cache counts as the engine reports them. */
export interface CacheCounts {
  hits: number;
  misses: number;
  size: number;
}

/** Result of `memory.ts`. */
export interface MemoryResult {
  questions: number;
  /** RSS after loading the model and index, before any question. */
  rssAfterLoadMB: number;
  /** RSS after the replay and a garbage collection, with every session live. */
  rssMB: number;
  heapUsedMB: number;
  peakRssMB: number;
  sessions: number;
  answerCache: CacheCounts;
  embeddingCache: CacheCounts | undefined;
  /** Answers by outcome: answered, cached, not_found, busy, error. */
  outcomes: Record<string, number>;
  ms: number;
}

/** Input of `load.ts`: questions asked all at once. */
export interface LoadInput extends RagbotSetup {
  pace: LlmPace;
  questions: string[];
}

/** Result of `load.ts`. */
export interface LoadResult {
  asked: number;
  completed: number;
  refused: number;
  failed: number;
  concurrency: number;
  maxQueue: number;
  /** From the moment all questions were asked until the last answer ended. */
  drainMs: number;
  /** Time to the first token of the completed answers. */
  firstTokenMs: Summary;
  peakRssMB: number;
}

/** Input of `discord.ts`. */
export interface DiscordInput extends RagbotSetup {
  pace: LlmPace;
  /** Distinct questions; the sequential round uses the first ones, the concurrent round the next ones. */
  questions: string[];
  sequential: number;
  concurrent: number;
  /** Rate limits of the stand-in's message create and edit buckets, per channel. */
  limit: { requests: number; windowMs: number };
}

/** Figures of one round of Discord answers. */
export interface DiscordRound {
  answers: number;
  /** Event to placeholder reply (POST), in ms. */
  placeholderMs: Summary;
  /** Event to the first edit with answer text, minus the stand-in's first-token delay, in ms. */
  firstEditOverheadMs: Summary;
  editsPerAnswer: Summary;
  rateLimited: number;
  /** From the first event until every answer has its final content. */
  totalMs: number;
  /** Answers that did not end with a sources line (not found, errors). */
  withoutSources: number;
}

/** Result of `discord.ts`. */
export interface DiscordResult {
  editFloorMs: number;
  sequential: DiscordRound;
  concurrent: DiscordRound & { maxConcurrentAnswers: number };
}

/** Input of `query.ts`: the index of `dataDir`, built with `dtype`. */
export interface QueryInput extends RagbotSetup {
  questions: string[];
  repeats: number;
  /** Dtypes whose query embedding time is measured on its own, besides the index's dtype. */
  embedDtypes: BenchDtype[];
}

/** Result of `query.ts`; every figure is per question, in ms. */
export interface QueryResult {
  chunks: number;
  /** Embedding of one question, per dtype. */
  embedMs: Partial<Record<BenchDtype, Summary>>;
  /** Search without the embedding, per mode. */
  searchMs: Record<'dense' | 'lexical' | 'hybrid', Summary>;
  promptBuildMs: Summary;
  /** Everything before the model in the configured mode: embed, search, prompt build. */
  totalMs: Summary;
  mode: string;
}
