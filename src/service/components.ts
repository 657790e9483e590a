// What `ragbot serve` needs from the knowledge base, the answering engine and
// the platform adapters. The service takes these factories as options so that
// tests can pass fakes. The shapes match the real modules structurally, and
// `loadComponents` (load-components.ts) wires in the real implementations.
import type { PlatformAdapter } from '../bots/adapter.js';
import type { Config } from '../config.js';
import type { AnswerEngine, Retriever } from '../engine/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

/** Embedding model as the service sees it: identity only, for the readiness report. */
export interface ServiceEmbedder {
  readonly modelId: string;
  readonly dims: number;
  readonly dtype: string;
  /** Releases the model session, when the embedder holds one. */
  close?(): Promise<void>;
}

/** Progress of an ingest run, reported to the readiness endpoint. */
export interface IngestProgress {
  files: number;
  totalFiles: number;
  chunks: number;
  chunksPerSecond: number;
  phase: string;
}

/** Summary of a finished ingest run. */
export interface IngestSummary {
  files: number;
  chunks: number;
  version: string;
  ms: number;
}

/** The loaded index: a retriever that can re-read the index from disk after a re-ingest. */
export interface ServiceKnowledgeBase extends Retriever {
  readonly embedder: ServiceEmbedder;
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** The answering engine plus the controls that a restart needs. */
export interface ServiceEngine extends AnswerEngine {
  /** Rejects new questions from now on; answers in flight continue. */
  drain(): void;
  /** Writes live sessions to `file` atomically; returns how many were saved. */
  saveSessions(file: string): Promise<number>;
  /** Reads sessions that have not expired from `file`; returns how many were restored. */
  restoreSessions(file: string): Promise<number>;
}

/** Options that every platform adapter factory receives. */
export interface AdapterFactoryOptions {
  config: Config;
  logger: Logger;
  engine: AnswerEngine;
  metrics: Metrics;
}

/** The factories that the service calls, in start-up order. */
export interface ServiceComponents {
  /** Loads the embedding model once, shared by the start-up ingest and the knowledge base. */
  createEmbedder(config: Config, logger: Logger): Promise<ServiceEmbedder>;
  /** Returns true when `dataDir` contains a complete index. */
  hasIndex(dataDir: string): boolean;
  ingestFolder(options: {
    config: Config;
    logger: Logger;
    folder: string;
    embedder?: ServiceEmbedder;
    onProgress?: (progress: IngestProgress) => void;
    signal?: AbortSignal;
  }): Promise<IngestSummary>;
  openKnowledgeBase(options: { config: Config; logger: Logger; embedder?: ServiceEmbedder }): Promise<ServiceKnowledgeBase>;
  createAnswerEngine(options: { config: Config; logger: Logger; retriever: Retriever; metrics: Metrics }): ServiceEngine;
  createDiscordAdapter(options: AdapterFactoryOptions): PlatformAdapter | Promise<PlatformAdapter>;
  createSlackAdapter(options: AdapterFactoryOptions): PlatformAdapter | Promise<PlatformAdapter>;
}
