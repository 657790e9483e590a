// Child process: search latency at a large index size. The vectors are random
// unit vectors and the chunks are copies of the corpus chunks. They are stored
// and indexed by ragbot's own store, FAISS and BM25 code, and only the query
// embeddings come from the model.
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Index as FaissIndex } from 'faiss-node';
import { createEmbedder } from '../../src/engine/knowledge.js';
import { buildFaissIndex, loadFaissIndex } from '../../src/engine/index/faiss.js';
import { currentIndexDir, indexFiles } from '../../src/engine/index/layout.js';
import { readManifest, type Manifest } from '../../src/engine/index/manifest.js';
import { StoreWriter, readAllChunks } from '../../src/engine/index/store.js';
import { Bm25Index } from '../../src/engine/retrieval/bm25.js';
import type { RelevanceRule } from '../../src/engine/retrieval/rank.js';
import { searchLoaded, type LoadedIndex } from '../../src/engine/retrieval/retriever.js';
import type { Chunk, SearchMode } from '../../src/engine/types.js';
import { silentLogger } from '../../src/observability/logger.js';
import { runChildMain } from '../lib/child.js';
import type { ScaleIndexResult, ScaleInput, ScaleResult } from '../lib/contracts.js';
import { PeakRssTracker, collectGarbage } from '../lib/memory.js';
import { benchConfig } from '../lib/ragbot.js';
import { summarize } from '../lib/stats.js';
import { seededRandom } from '../lib/workload.js';

/** Rows generated and appended to the store at a time. */
const appendRows = 4096;

const modes: SearchMode[] = ['dense', 'lexical', 'hybrid'];

/** Seed of the synthetic vectors; part of the HNSW cache key. */
const vectorSeed = 7;

runChildMain<ScaleInput>(async (input): Promise<ScaleResult> => {
  const tracker = new PeakRssTracker();
  const config = benchConfig(input);
  const embedder = await createEmbedder(config, silentLogger());
  const queryVectors = await embedder.embed(input.questions);
  await embedder.close?.();

  const corpusDir = currentIndexDir(config.dataDir);
  if (corpusDir === undefined) throw new Error(`${config.dataDir} has no index; the ingest section must run first.`);
  const corpusManifest = await readManifest(path.join(corpusDir, indexFiles.manifest), corpusDir);
  const source = await readAllChunks(corpusDir, corpusManifest.chunks);

  // The synthetic store: random unit vectors and copies of the corpus chunks.
  const flatDir = path.join(input.workDir, 'flat');
  const hnswDir = path.join(input.workDir, 'hnsw');
  mkdirSync(flatDir, { recursive: true });
  mkdirSync(hnswDir, { recursive: true });
  const chunks = await writeSyntheticStore(flatDir, source, input.syntheticChunks, embedder.dims);
  linkSync(path.join(flatDir, 'vectors.f32'), path.join(hnswDir, 'vectors.f32'));
  tracker.sample();

  const bm25Started = performance.now();
  const bm25 = new Bm25Index(chunks);
  const bm25BuildMs = performance.now() - bm25Started;

  // Every candidate passes the dense floor, so the ranking and collapsing steps see the full pool.
  const rule: RelevanceRule = { minCoverage: config.minLexicalCoverage, minDense: -1, denseAloneInHybrid: false };
  const indexes: ScaleIndexResult[] = [];
  const flat = await buildFlat(flatDir, chunks.length, embedder.dims);
  indexes.push(measureIndex(flat, { dir: flatDir, chunks, bm25 }, input, queryVectors, rule));
  collectGarbage();
  tracker.sample();

  const hnsw = await buildOrReuseHnsw(hnswDir, chunks.length, embedder.dims, input);
  if (hnsw !== undefined) indexes.push(measureIndex(hnsw, { dir: hnswDir, chunks, bm25 }, input, queryVectors, rule));
  tracker.sample();

  return {
    chunks: chunks.length,
    bm25BuildMs,
    indexes,
    configuredKind: chunks.length > config.hnswThreshold ? 'hnsw' : 'flat',
    peakRssMB: tracker.peakMB(),
  };
});

/** A FAISS index just built or taken from the cache, with its build time. */
interface BuiltIndex {
  kind: 'flat' | 'hnsw';
  faiss: FaissIndex;
  buildMs: number;
  /** When the build time was measured, for an index taken from the cache. */
  cachedFrom?: string;
}

/** Builds the exact index of the synthetic vectors with ragbot's FAISS code. */
async function buildFlat(dir: string, count: number, dims: number): Promise<BuiltIndex> {
  const started = performance.now();
  await buildFaissIndex(dir, count, dims, Number.MAX_SAFE_INTEGER);
  const buildMs = performance.now() - started;
  return { kind: 'flat', faiss: loadFaissIndex(dir, { chunks: count, dims } as Manifest), buildMs };
}

/**
 * Builds the HNSW index with ragbot's FAISS code, or copies it from the cache.
 * The synthetic vectors are seeded and the same on every run, so a cached graph
 * indexes the same data (a multi-threaded build may link it differently), and
 * building it takes minutes on 2 cores. Returns undefined when there is no
 * cached copy and `input.buildHnsw` is false.
 */
async function buildOrReuseHnsw(dir: string, count: number, dims: number, input: ScaleInput): Promise<BuiltIndex | undefined> {
  const key = `hnsw-${count}x${dims}-seed${vectorSeed}-faiss-node-${faissNodeVersion()}`;
  const cachedIndex = path.join(input.cacheDir, `${key}.faiss`);
  const cachedMeta = path.join(input.cacheDir, `${key}.json`);
  const target = path.join(dir, indexFiles.faiss);

  if (existsSync(cachedIndex) && existsSync(cachedMeta)) {
    copyFileSync(cachedIndex, target);
    const meta = JSON.parse(readFileSync(cachedMeta, 'utf8')) as { buildMs: number; builtAt: string };
    return { kind: 'hnsw', faiss: loadFaissIndex(dir, { chunks: count, dims } as Manifest), buildMs: meta.buildMs, cachedFrom: meta.builtAt };
  }
  if (!input.buildHnsw) return undefined;

  const started = performance.now();
  await buildFaissIndex(dir, count, dims, 0);
  const buildMs = performance.now() - started;
  mkdirSync(input.cacheDir, { recursive: true });
  copyFileSync(target, cachedIndex);
  writeFileSync(cachedMeta, `${JSON.stringify({ buildMs, builtAt: new Date().toISOString() })}\n`);
  return { kind: 'hnsw', faiss: loadFaissIndex(dir, { chunks: count, dims } as Manifest), buildMs };
}

function faissNodeVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('faiss-node/package.json') as { version: string }).version;
}

/** Measures one index kind at the synthetic size. */
function measureIndex(built: BuiltIndex, parts: Pick<LoadedIndex, 'dir' | 'chunks' | 'bm25'>, input: ScaleInput, vectors: Float32Array[], rule: RelevanceRule): ScaleIndexResult {
  const loaded: LoadedIndex = { ...parts, manifest: {} as Manifest, faiss: built.faiss };
  const result: ScaleIndexResult = { kind: built.kind, buildMs: built.buildMs, searchMs: measureSearch(loaded, input, vectors, rule) };
  if (built.cachedFrom !== undefined) result.buildCachedFrom = built.cachedFrom;
  return result;
}

/** Times `searchLoaded` per mode, every question `repeats` times. */
function measureSearch(index: LoadedIndex, input: ScaleInput, vectors: Float32Array[], rule: RelevanceRule): ScaleIndexResult['searchMs'] {
  const samples: Record<SearchMode, number[]> = { dense: [], lexical: [], hybrid: [] };
  for (let repeat = 0; repeat < input.repeats; repeat += 1) {
    input.questions.forEach((question, position) => {
      for (const mode of modes) {
        const started = performance.now();
        searchLoaded(index, question, vectors[position], mode, input.k, rule);
        samples[mode].push(performance.now() - started);
      }
    });
  }
  return { dense: summarize(samples.dense), lexical: summarize(samples.lexical), hybrid: summarize(samples.hybrid) };
}

/** Writes `count` chunks (corpus copies) with random unit vectors through ragbot's store writer. */
async function writeSyntheticStore(dir: string, corpus: readonly Chunk[], count: number, dims: number): Promise<Chunk[]> {
  const random = seededRandom(vectorSeed);
  const writer = await StoreWriter.create(dir, dims);
  const chunks: Chunk[] = [];
  try {
    for (let first = 0; first < count; first += appendRows) {
      const rows = Math.min(appendRows, count - first);
      const drafts: Omit<Chunk, 'id'>[] = [];
      const vectors: Float32Array[] = [];
      for (let row = 0; row < rows; row += 1) {
        const id = first + row;
        const original = corpus[id % corpus.length]!;
        const copy = Math.floor(id / corpus.length);
        drafts.push({ ...omitId(original), source: `copy-${copy}/${original.source}` });
        vectors.push(randomUnitVector(dims, random));
      }
      await writer.append(drafts, vectors);
      drafts.forEach((draft, row) => chunks.push({ id: first + row, ...draft }));
    }
  } finally {
    await writer.close();
  }
  return chunks;
}

function omitId(chunk: Chunk): Omit<Chunk, 'id'> {
  const { id: _id, ...rest } = chunk;
  return rest;
}

/** Returns a random vector with normal components (Box-Muller), scaled to length 1. */
function randomUnitVector(dims: number, random: () => number): Float32Array {
  const vector = new Float32Array(dims);
  let norm = 0;
  for (let d = 0; d < dims; d += 1) {
    const value = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    vector[d] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let d = 0; d < dims; d += 1) vector[d] = vector[d]! * scale;
  return vector;
}
