// Child process: LangChain.js ingest and dense query on the chunk texts that
// ragbot produced, with its own peak RSS.
import { readFileSync } from 'node:fs';
import { runChildMain } from '../lib/child.js';
import type { IngestInput, IngestResult } from '../lib/contracts.js';
import { buildLangChainStore, createLangChainEmbeddings, queryLangChainStore } from '../lib/langchain.js';
import { PeakRssTracker } from '../lib/memory.js';
import { summarize } from '../lib/stats.js';

runChildMain<IngestInput>(async (input): Promise<IngestResult> => {
  const tracker = new PeakRssTracker();
  const texts = JSON.parse(readFileSync(input.chunksFile, 'utf8')) as string[];

  // Model load, excluded from the ingest time as it is for ragbot.
  const loadStarted = performance.now();
  const embeddings = createLangChainEmbeddings(input);
  await embeddings.embedQuery('warm up');
  const modelLoadMs = performance.now() - loadStarted;

  const ingestStarted = performance.now();
  const store = await buildLangChainStore(embeddings, texts);
  const ingestMs = performance.now() - ingestStarted;
  // The ingest peak is read here, before the query phase loads anything more.
  const ingestPeakRssMB = tracker.peakMB();

  const latencies: number[] = [];
  for (let repeat = 0; repeat < input.queryRepeats; repeat += 1) {
    for (const question of input.questions) {
      const started = performance.now();
      await queryLangChainStore(store, question, input.k);
      latencies.push(performance.now() - started);
    }
  }

  return {
    impl: 'langchain',
    dtype: input.dtype,
    chunks: texts.length,
    modelLoadMs,
    ingestMs,
    chunksPerSecond: texts.length / (ingestMs / 1000),
    query: summarize(latencies),
    peakRssMB: ingestPeakRssMB,
    peakRssMethod: tracker.method(),
    details: { batchSize: embeddings.batchSize, index: 'IndexFlatL2', peakRssWithQueriesMB: tracker.peakMB() },
  };
});
