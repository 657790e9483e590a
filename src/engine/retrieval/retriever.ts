// One loaded index version and the search over it: dense (FAISS), lexical
// (BM25) or hybrid (RRF), then the minimum-relevance rule, near-duplicate
// collapsing and the top k.
import path from 'node:path';
import type { Index as FaissIndex } from 'faiss-node';
import type { Embedder } from '../embedding/embedder.js';
import { IndexMismatchError, IndexNotFoundError } from '../index/errors.js';
import { loadFaissIndex, searchFaiss } from '../index/faiss.js';
import { currentIndexDir, indexFiles } from '../index/layout.js';
import { readManifest, type Manifest } from '../index/manifest.js';
import { readAllChunks } from '../index/store.js';
import type { Chunk, IndexInfo, SearchHit, SearchMode } from '../types.js';
import { Bm25Index } from './bm25.js';
import { collapseNearDuplicates, isRelevant, rankCandidates, type RelevanceRule } from './rank.js';

/** An index version held in memory. */
export interface LoadedIndex {
  dir: string;
  manifest: Manifest;
  chunks: Chunk[];
  faiss: FaissIndex;
  bm25: Bm25Index;
}

/** Candidates taken from each retriever before fusion: at least this many, or ten times k. */
const minCandidatePool = 50;

/**
 * Loads the active index of `dataDir`. Throws `IndexNotFoundError` when there is
 * none, and `IndexMismatchError` when it was built with another model, vector size or dtype.
 */
export async function loadIndex(dataDir: string, embedder: Embedder): Promise<LoadedIndex> {
  const dir = currentIndexDir(dataDir);
  if (dir === undefined) throw new IndexNotFoundError(dataDir);
  const manifest = await readManifest(path.join(dir, indexFiles.manifest), dir);

  if (manifest.model !== embedder.modelId) throw new IndexMismatchError(dataDir, 'model', manifest.model, embedder.modelId);
  if (manifest.dims !== embedder.dims) throw new IndexMismatchError(dataDir, 'dims', manifest.dims, embedder.dims);
  if (manifest.dtype !== embedder.dtype) throw new IndexMismatchError(dataDir, 'dtype', manifest.dtype, embedder.dtype);

  const chunks = await readAllChunks(dir, manifest.chunks);
  const faiss = loadFaissIndex(dir, manifest);
  return { dir, manifest, chunks, faiss, bm25: new Bm25Index(chunks) };
}

/** Identity of a loaded index for `Retriever.info()`. */
export function describeIndex(index: LoadedIndex): IndexInfo {
  const { manifest } = index;
  return { version: manifest.version, chunks: manifest.chunks, builtAt: manifest.builtAt, model: manifest.model, dims: manifest.dims, dtype: manifest.dtype };
}

/**
 * Builds the relevance rule for an index. Without a configured MIN_DENSE_SCORE, dense mode
 * uses the 99th percentile of random chunk-pair similarity measured at ingest, and
 * hybrid mode requires lexical evidence.
 */
export function relevanceRule(manifest: Manifest, settings: { minCoverage: number; minDenseScore: number | undefined }): RelevanceRule {
  return {
    minCoverage: settings.minCoverage,
    // NOTE: the chunk-pair background is a weak floor for queries, whose vectors differ from chunk vectors;
    // an unrelated query can clear it in dense mode. Calibrate MIN_DENSE_SCORE on real questions for a real model.
    minDense: settings.minDenseScore ?? manifest.calibration.p99,
    denseAloneInHybrid: settings.minDenseScore !== undefined,
  };
}

/** Searches one loaded index; `vector` is the query embedding, needed for dense and hybrid modes. */
export function searchLoaded(index: LoadedIndex, query: string, vector: Float32Array | undefined, mode: SearchMode, k: number, rule: RelevanceRule): SearchHit[] {
  const pool = Math.max(minCandidatePool, k * 10);
  const dense = mode !== 'lexical' && vector !== undefined ? searchFaiss(index.faiss, vector, pool) : [];
  const lexical = mode !== 'dense' ? index.bm25.search(query, pool) : [];

  const candidates = rankCandidates(mode, dense, lexical, (id) => index.bm25.match(query, id)).filter((candidate) => isRelevant(candidate, mode, rule));
  return collapseNearDuplicates(candidates, index.chunks, k).map((candidate, position) => ({
    chunk: index.chunks[candidate.id] as Chunk,
    score: candidate.score,
    rank: position + 1,
  }));
}
