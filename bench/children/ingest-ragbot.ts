// Child process: ragbot ingest of the corpus and dense query latency, with its
// own peak RSS. It also writes the embedded text of every chunk, so that the
// LangChain child embeds exactly the same texts.
import { writeFileSync } from 'node:fs';
import { createEmbedder, embeddingText, ingestFolder, openKnowledgeBase, type Embedder } from '../../src/engine/knowledge.js';
import { currentIndexDir } from '../../src/engine/index/layout.js';
import { readAllChunks } from '../../src/engine/index/store.js';
import { silentLogger } from '../../src/observability/logger.js';
import { runChildMain } from '../lib/child.js';
import type { IngestInput, IngestResult } from '../lib/contracts.js';
import { PeakRssTracker } from '../lib/memory.js';
import { benchConfig } from '../lib/ragbot.js';
import { summarize } from '../lib/stats.js';

runChildMain<IngestInput>(async (input): Promise<IngestResult> => {
  const tracker = new PeakRssTracker();
  const logger = silentLogger();
  // No query-embedding cache, so every repeat of a question is embedded again as in LangChain.
  const config = benchConfig(input, { EMBEDDING_CACHE_MAX: '0' });

  // Model load (createEmbedder also embeds one probe text), excluded from the ingest time.
  const loadStarted = performance.now();
  const embedder = await createEmbedder(config, logger);
  const modelLoadMs = performance.now() - loadStarted;

  const timed = timeEmbedder(embedder);
  const ingestStarted = performance.now();
  const report = await ingestFolder({ config, logger, folder: input.corpusDir, embedder: timed.embedder });
  const ingestMs = performance.now() - ingestStarted;
  // The ingest peak is read here, before the query phase loads anything more.
  const ingestPeakRssMB = tracker.peakMB();

  // The texts that were embedded, in chunk id order.
  const indexDir = currentIndexDir(config.dataDir);
  if (indexDir === undefined) throw new Error(`ingest finished but ${config.dataDir} has no active index`);
  const chunks = await readAllChunks(indexDir, report.chunks);
  const texts = chunks.map((chunk) => embeddingText(chunk));
  writeFileSync(input.chunksFile, JSON.stringify(texts));

  const knowledge = await openKnowledgeBase({ config, logger, embedder });
  const latencies: number[] = [];
  for (let repeat = 0; repeat < input.queryRepeats; repeat += 1) {
    for (const question of input.questions) {
      const started = performance.now();
      await knowledge.search(question, { mode: 'dense', k: input.k });
      latencies.push(performance.now() - started);
    }
  }

  const characters = texts.reduce((sum, text) => sum + text.length, 0);
  return {
    impl: 'ragbot',
    dtype: input.dtype,
    chunks: report.chunks,
    modelLoadMs,
    ingestMs,
    chunksPerSecond: report.chunks / (ingestMs / 1000),
    query: summarize(latencies),
    peakRssMB: ingestPeakRssMB,
    peakRssMethod: tracker.method(),
    details: {
      peakRssWithQueriesMB: tracker.peakMB(),
      files: report.files,
      skipped: report.skipped.length,
      embedded: report.embedded,
      meanChunkChars: Math.round(characters / Math.max(1, texts.length)),
      faiss: knowledge.info(),
      batchSize: config.embeddingBatchSize,
      embedMs: timed.times.embedMs,
      countTokensMs: timed.times.countTokensMs,
      embedCalls: timed.times.embedCalls,
    },
  };
});

/** Time spent in the embedder's calls during ingest, in ms. */
interface EmbedderTimes {
  embedMs: number;
  countTokensMs: number;
  embedCalls: number;
}

/** Wraps `embedder` so that the time spent embedding and counting tokens is measured apart from the rest of ingest. */
function timeEmbedder(embedder: Embedder): { embedder: Embedder; times: EmbedderTimes } {
  const times: EmbedderTimes = { embedMs: 0, countTokensMs: 0, embedCalls: 0 };
  const countTokens = embedder.countTokens?.bind(embedder);
  const wrapped: Embedder = {
    modelId: embedder.modelId,
    dims: embedder.dims,
    dtype: embedder.dtype,
    async embed(texts, signal) {
      const started = performance.now();
      try {
        return await embedder.embed(texts, signal);
      } finally {
        times.embedMs += performance.now() - started;
        times.embedCalls += 1;
      }
    },
  };
  if (countTokens !== undefined) {
    wrapped.countTokens = (text) => {
      const started = performance.now();
      const count = countTokens(text);
      times.countTokensMs += performance.now() - started;
      return count;
    };
  }
  return { embedder: wrapped, times };
}
