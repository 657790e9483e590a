// Child process: the work before the model for one question, timed in parts
// (embed, search per mode, prompt build) and as a whole, on the corpus index.
import { buildMessages } from '../../src/engine/answer/prompt.js';
import { defaultProfiles } from '../../src/engine/answer/profiles.js';
import { createEmbedder, openKnowledgeBase, type Embedder } from '../../src/engine/knowledge.js';
import type { SearchMode } from '../../src/engine/types.js';
import { silentLogger } from '../../src/observability/logger.js';
import { runChildMain } from '../lib/child.js';
import type { QueryInput, QueryResult } from '../lib/contracts.js';
import { benchConfig } from '../lib/ragbot.js';
import { summarize, type Summary } from '../lib/stats.js';

const modes: SearchMode[] = ['dense', 'lexical', 'hybrid'];

runChildMain<QueryInput>(async (input): Promise<QueryResult> => {
  const logger = silentLogger();
  // No query-embedding cache: every repeat pays for its embedding, as a new question would.
  const config = benchConfig(input, { EMBEDDING_CACHE_MAX: '0' });
  const knowledge = await openKnowledgeBase({ config, logger });

  const embedMs: QueryResult['embedMs'] = { [input.dtype]: await timeEmbedding(knowledge.embedder, input) };
  for (const dtype of input.embedDtypes.filter((d) => d !== input.dtype)) {
    const embedder = await createEmbedder(benchConfig({ ...input, dtype }), logger);
    embedMs[dtype] = await timeEmbedding(embedder, input);
    await embedder.close?.();
  }

  const search: Record<SearchMode, number[]> = { dense: [], lexical: [], hybrid: [] };
  const prompt: number[] = [];
  const total: number[] = [];
  const profile = defaultProfiles.normal;
  for (let repeat = 0; repeat < input.repeats; repeat += 1) {
    for (const question of input.questions) {
      for (const mode of modes) search[mode].push((await knowledge.search(question, { mode })).timings.searchMs);

      // The whole path as the engine runs it for a first question in the configured mode.
      const started = performance.now();
      const result = await knowledge.search(question, { mode: config.searchMode });
      const promptStarted = performance.now();
      buildMessages({ question, hits: result.hits, turns: [], profile, historyTokens: config.sessionMaxTokens });
      const ended = performance.now();
      prompt.push(ended - promptStarted);
      total.push(ended - started);
    }
  }

  const result: QueryResult = {
    chunks: knowledge.info().chunks,
    embedMs,
    searchMs: { dense: summarize(search.dense), lexical: summarize(search.lexical), hybrid: summarize(search.hybrid) },
    promptBuildMs: summarize(prompt),
    totalMs: summarize(total),
    mode: config.searchMode,
  };
  await knowledge.close();
  return result;
});

/** Times the embedding of each question, `repeats` times, after one warm-up call. */
async function timeEmbedding(embedder: Embedder, input: QueryInput): Promise<Summary> {
  await embedder.embed(['warm up']);
  const samples: number[] = [];
  for (let repeat = 0; repeat < input.repeats; repeat += 1) {
    for (const question of input.questions) {
      const started = performance.now();
      await embedder.embed([question]);
      samples.push(performance.now() - started);
    }
  }
  return summarize(samples);
}

