import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { createEmbedder, ingestFolder, openKnowledgeBase, type Embedder, type KnowledgeBase } from '../src/engine/knowledge.js';
import { evaluateRetrieval, readQuestions, type EvalQuestion } from '../src/engine/retrieval/evaluate.js';
import { silentLogger } from '../src/observability/logger.js';
import { sharedPath } from './support/shared-data.js';

const corpus = sharedPath('corpus', 'hf-hub-docs');
const questionsFile = sharedPath('eval', 'questions.jsonl');
const logger = silentLogger();

/** Questions far from the corpus's subject; none of them should get a passage. */
const offTopic: EvalQuestion[] = [
  'what is the best pizza recipe in naples',
  'who won the 2018 football world cup',
  'how do I change the oil in a diesel car',
  'what are the symptoms of the flu',
  'recommend a good hiking trail near denver',
  'how long should I boil an egg',
].map((question, n) => ({ id: `off-${n}`, question, expected_files: [] }));

let workDir: string;
let config: Config;
let embedder: Embedder;
let knowledge: KnowledgeBase;
let questions: EvalQuestion[];

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-retrieval-'));
  config = loadConfig({
    DATA_DIR: path.join(workDir, 'data'),
    MODELS_DIR: path.resolve('tests/fixtures'),
    MODELS_CACHE_DIR: path.join(workDir, 'models-cache'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
    EMBEDDING_CACHE_MAX: '100',
  });
  embedder = await createEmbedder(config, logger);
  await ingestFolder({ config, logger, folder: corpus, embedder });
  knowledge = await openKnowledgeBase({ config, logger, embedder });
  questions = await readQuestions(questionsFile);
});

afterAll(async () => {
  await knowledge?.close();
  await embedder?.close?.();
  rmSync(workDir, { recursive: true, force: true });
});

describe('retrieval on the eval questions', () => {
  it('reaches recall@5 of 0.8 in lexical mode', async () => {
    const summary = await evaluateRetrieval(knowledge, questions, { mode: 'lexical', k: 20 });
    expect(summary.answerable).toBeGreaterThan(30);
    expect(summary.recall5).toBeGreaterThanOrEqual(0.8);
    expect(summary.mrr).toBeGreaterThanOrEqual(0.7);
  });

  it('reaches recall@5 of 0.8 in hybrid mode', async () => {
    const summary = await evaluateRetrieval(knowledge, questions, { mode: 'hybrid', k: 20 });
    expect(summary.recall5).toBeGreaterThanOrEqual(0.8);
  });

  it('declines most off-topic questions', async () => {
    for (const mode of ['lexical', 'hybrid'] as const) {
      const summary = await evaluateRetrieval(knowledge, offTopic, { mode, k: 5 });
      expect(summary.unanswerable).toBe(offTopic.length);
      expect(summary.unanswerableDeclined).toBeGreaterThan(0.5);
    }
  });
});

describe('KnowledgeBase.search', () => {
  it('uses the configured mode and k', async () => {
    const { hits, timings } = await knowledge.search('how do I set up a custom domain for my space with a DNS record');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(config.searchTopK);
    expect(hits.map((hit) => hit.rank)).toEqual(hits.map((_, index) => index + 1));
    expect(hits[0]?.chunk.source).toBe('hub/spaces-custom-domain.md');
    expect(timings.embedMs).toBeGreaterThanOrEqual(0);
    expect(timings.searchMs).toBeGreaterThanOrEqual(0);
  });

  it('returns scores best first in every mode', async () => {
    for (const mode of ['dense', 'lexical', 'hybrid'] as const) {
      const { hits } = await knowledge.search('gated model access request form', { mode, k: 8 });
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    }
  });

  it('collapses near-duplicate chunks of one source', async () => {
    const { hits } = await knowledge.search('inference providers chat completion snippet', { mode: 'lexical', k: 20 });
    const { tokenize } = await import('../src/engine/retrieval/bm25.js');
    for (let i = 0; i < hits.length; i++) {
      for (let j = i + 1; j < hits.length; j++) {
        if (hits[i]!.chunk.source !== hits[j]!.chunk.source) continue;
        const a = new Set(tokenize(hits[i]!.chunk.text));
        const b = new Set(tokenize(hits[j]!.chunk.text));
        const shared = [...a].filter((word) => b.has(word)).length;
        expect(shared / (a.size + b.size - shared)).toBeLessThan(0.6);
      }
    }
  });

  it('caches query embeddings', async () => {
    const before = knowledge.cacheStats?.() ?? { hits: 0, misses: 0, size: 0 };
    await knowledge.search('storage buckets boto3 endpoint region', { mode: 'dense' });
    await knowledge.search('storage buckets   boto3 endpoint region ', { mode: 'hybrid' });
    const after = knowledge.cacheStats?.() ?? { hits: 0, misses: 0, size: 0 };
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
    expect(after.size).toBeGreaterThan(0);
  });

  it('skips the embedder in lexical mode', async () => {
    const before = knowledge.cacheStats?.() ?? { hits: 0, misses: 0, size: 0 };
    await knowledge.search('a query that is only used lexically', { mode: 'lexical' });
    const after = knowledge.cacheStats?.() ?? { hits: 0, misses: 0, size: 0 };
    expect(after.hits + after.misses).toBe(before.hits + before.misses);
  });

  it('rejects an aborted search', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await expect(knowledge.search('a new question never embedded before', { signal: controller.signal })).rejects.toThrow('user cancelled');
  });

  it('describes the loaded index', () => {
    const info = knowledge.info();
    expect(info).toMatchObject({ model: 'tiny-model', dims: embedder.dims, dtype: 'q8' });
    expect(info.chunks).toBeGreaterThan(1000);
    expect(info.version).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('HNSW index', () => {
  it('is built above the threshold and finds the same top file', async () => {
    const hnswConfig = { ...config, dataDir: path.join(workDir, 'hnsw'), hnswThreshold: 100 };
    await ingestFolder({ config: hnswConfig, logger, folder: path.join(corpus, 'hub'), embedder });
    const hnsw = await openKnowledgeBase({ config: hnswConfig, logger, embedder });
    const query = 'git config to gpg-sign every commit by default';
    const [exact] = (await knowledge.search(query, { mode: 'dense', k: 1 })).hits;
    const [approximate] = (await hnsw.search(query, { mode: 'dense', k: 1 })).hits;
    // The HNSW index holds only hub/, so its source paths are relative to that folder.
    expect(`hub/${approximate?.chunk.source}`).toBe(exact?.chunk.source);
    await hnsw.close();

    const current = readFileSync(path.join(hnswConfig.dataDir, 'CURRENT'), 'utf8').trim();
    const manifest = JSON.parse(readFileSync(path.join(hnswConfig.dataDir, current, 'manifest.json'), 'utf8'));
    expect(manifest.faiss).toEqual({ kind: 'hnsw', descriptor: 'HNSW32,Flat' });
  });
});
