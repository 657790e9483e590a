// Shared engine types: what retrieval returns and what adapters call.
// The engine does not import Discord or Slack code, and adapters do not
// import retrieval code: both sides depend only on the types in this file.

/** A passage of a source document, the unit that is embedded and retrieved. */
export interface Chunk {
  /** Stable id inside one index (position in the chunk store). */
  id: number;
  /** Source path relative to the ingested folder, with `/` separators, e.g. `hub/spaces-overview.md`. */
  source: string;
  /** Heading path from the document's outline, e.g. `Spaces > Secrets`; empty before the first heading. */
  heading: string;
  /** First and last line of the chunk in the source file, 1-based and inclusive. */
  lineStart: number;
  lineEnd: number;
  /** Chunk text as embedded and shown to the model. */
  text: string;
}

/** Retrieval mode: dense (FAISS), lexical (BM25) or both fused. */
export type SearchMode = 'dense' | 'lexical' | 'hybrid';

/** One ranked retrieval result. */
export interface SearchHit {
  chunk: Chunk;
  /** Relevance score of the mode used; higher is better, comparable only within one query. */
  score: number;
  /** 1-based rank in the result list. */
  rank: number;
}

/** Options of one retrieval call. */
export interface SearchOptions {
  k?: number;
  mode?: SearchMode;
  signal?: AbortSignal;
}

/** Timings of one retrieval call, in milliseconds. */
export interface SearchTimings {
  embedMs: number;
  searchMs: number;
}

/** Result of one retrieval call: the hits that cleared the minimum relevance, best first. */
export interface SearchResult {
  hits: SearchHit[];
  timings: SearchTimings;
}

/** Identity and freshness of the loaded index, for cache keys and the readiness report. */
export interface IndexInfo {
  version: string;
  chunks: number;
  builtAt: string;
  model: string;
  dims: number;
  dtype: string;
}

/** Read side of the knowledge base, as the answering engine sees it. */
export interface Retriever {
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  info(): IndexInfo;
  /** Hit and miss counts of the query-embedding cache, when the retriever has one. */
  cacheStats?(): { hits: number; misses: number; size: number };
}

/** Platform, place and person that a conversation belongs to. */
export interface SessionKey {
  platform: string;
  /** Workspace or guild, when the platform has one (Slack team id, Discord guild id). */
  team?: string;
  /** Channel id, or thread id when the conversation is in a thread. */
  channel: string;
  user: string;
}

/** Answer profile: `compact` gives shorter answers and a shorter time limit (phones, or on request). */
export type AnswerProfile = 'normal' | 'compact';

/** One question put to the engine by an adapter. */
export interface AskRequest {
  question: string;
  session: SessionKey;
  profile?: AnswerProfile;
  signal?: AbortSignal;
}

/** A source that the final answer cites. */
export interface AnswerSource {
  /** Citation number as it appears in the answer text, `[n]`. */
  index: number;
  path: string;
  heading: string;
  score: number;
  /** Link to the source, when a base URL is configured for its folder. */
  url?: string;
}

/** Per-answer timings in milliseconds; `firstTokenMs` and the others are measured from the start of the call. */
export interface AnswerTimings {
  embedMs: number;
  searchMs: number;
  firstTokenMs: number;
  totalMs: number;
}

/** Why an answer ended. `complete` is the normal case; the others carry a note in the text. */
export type AnswerEnd = 'complete' | 'timeout' | 'interrupted' | 'aborted' | 'not_found';

/** Event of an answer stream. */
export type AnswerEvent =
  | { type: 'delta'; text: string }
  | {
      type: 'final';
      /** Complete answer text with checked citations, without the sources list. */
      answer: string;
      sources: AnswerSource[];
      cached: boolean;
      end: AnswerEnd;
      timings: AnswerTimings;
    };

/** Queue, cache and in-flight figures for the health endpoint and metrics. */
export interface EngineStats {
  queueLength: number;
  inFlight: number;
  caches: Record<string, { hits: number; misses: number; size: number }>;
  sessions: number;
}

/** The one engine API that adapters call. Errors are thrown as `EngineError`. */
export interface AnswerEngine {
  /** Streams the answer to a question: text deltas, then one final event. */
  ask(request: AskRequest): AsyncIterable<AnswerEvent>;
  /** Forgets the conversation of one session key. */
  clearSession(key: SessionKey): void;
  stats(): EngineStats;
}
