// The FAISS index over the stored vectors: exact inner product for small
// corpora, an HNSW graph above HNSW_THRESHOLD. Vectors are L2-normalised, so
// inner product is cosine similarity.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Index as FaissIndex } from 'faiss-node';
import { IndexCorruptError } from './errors.js';
import { indexFiles } from './layout.js';
import type { DenseCalibration, Manifest } from './manifest.js';
import { VectorReader } from './store.js';

// faiss-node is a CommonJS native addon; it is loaded on first use so that commands without an index do not pay for it.
const require = createRequire(import.meta.url);
type FaissModule = typeof import('faiss-node');
let faissModule: FaissModule | undefined;

function faiss(): FaissModule {
  faissModule ??= require('faiss-node') as FaissModule;
  return faissModule;
}

/**
 * FAISS factory string of the graph index used above the threshold.
 * NOTE: faiss-node 0.5 exposes no efSearch setting, so HNSW searches with FAISS's default (16),
 * raised to k when k is larger; recall above the threshold is not measured.
 */
const hnswDescriptor = 'HNSW32,Flat';

/** Rows read from the vector file and added to FAISS at a time (faiss-node takes plain arrays). */
const addBatchRows = 2048;

/** Chunk pairs sampled to measure the background similarity of a corpus. */
const calibrationPairs = 500;

/** Builds the FAISS index from the vector file of `dir` and writes it to `index.faiss`. */
export async function buildFaissIndex(dir: string, count: number, dims: number, hnswThreshold: number): Promise<Manifest['faiss']> {
  const { IndexFlatIP, Index, MetricType } = faiss();
  const kind = count > hnswThreshold ? 'hnsw' : 'flat';
  const index = kind === 'hnsw' ? Index.fromFactory(dims, hnswDescriptor, MetricType.METRIC_INNER_PRODUCT) : new IndexFlatIP(dims);

  const reader = await VectorReader.open(path.join(dir, indexFiles.vectors), dims);
  try {
    for (let first = 0; first < count; first += addBatchRows) {
      const rows = await reader.read(first, Math.min(addBatchRows, count - first));
      const flat: number[] = new Array<number>(rows.length * dims);
      rows.forEach((row, r) => {
        for (let d = 0; d < dims; d++) flat[r * dims + d] = row[d] as number;
      });
      index.add(flat);
    }
  } finally {
    await reader.close();
  }

  index.write(path.join(dir, indexFiles.faiss));
  return { kind, descriptor: kind === 'hnsw' ? hnswDescriptor : 'Flat' };
}

/** Reads `index.faiss` of an index folder and checks it against the manifest. */
export function loadFaissIndex(dir: string, manifest: Manifest): FaissIndex {
  let index: FaissIndex;
  try {
    index = faiss().Index.read(path.join(dir, indexFiles.faiss));
  } catch (error) {
    throw new IndexCorruptError(dir, `${indexFiles.faiss} could not be read`, error);
  }
  if (index.ntotal() !== manifest.chunks) throw new IndexCorruptError(dir, `${indexFiles.faiss} has ${index.ntotal()} vectors, the manifest lists ${manifest.chunks} chunks`);
  if (index.getDimension() !== manifest.dims) throw new IndexCorruptError(dir, `${indexFiles.faiss} has ${index.getDimension()} dimensions, the manifest lists ${manifest.dims}`);
  return index;
}

/** Searches one query vector; returns chunk ids and cosine scores, best first. */
export function searchFaiss(index: FaissIndex, vector: Float32Array, k: number): { id: number; score: number }[] {
  const total = index.ntotal();
  if (total === 0 || k <= 0) return [];
  // faiss-node rejects k larger than the number of vectors.
  const { labels, distances } = index.search(Array.from(vector), Math.min(k, total));
  const hits: { id: number; score: number }[] = [];
  labels.forEach((label, i) => {
    if (label >= 0) hits.push({ id: label, score: distances[i] as number });
  });
  return hits;
}

/**
 * Measures the cosine similarity of random chunk pairs. A query's dense score
 * must clear this background to count as evidence of relevance on its own,
 * which keeps a model whose vectors are all alike from passing noise.
 */
export async function calibrateDense(dir: string, count: number, dims: number, seed: string): Promise<DenseCalibration> {
  if (count < 2) return { samples: 0, p50: 1, p95: 1, p99: 1 };
  const random = seededRandom(seed);
  const reader = await VectorReader.open(path.join(dir, indexFiles.vectors), dims);
  const scores: number[] = [];
  try {
    for (let pair = 0; pair < calibrationPairs; pair++) {
      const a = Math.floor(random() * count);
      let b = Math.floor(random() * (count - 1));
      if (b >= a) b++;
      const [first] = await reader.read(a, 1);
      const [second] = await reader.read(b, 1);
      scores.push(dot(first as Float32Array, second as Float32Array));
    }
  } finally {
    await reader.close();
  }
  scores.sort((x, y) => x - y);
  const quantile = (q: number): number => scores[Math.min(scores.length - 1, Math.floor(q * scores.length))] as number;
  return { samples: scores.length, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99) };
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** Small deterministic generator (mulberry32) so that the same corpus gets the same calibration. */
function seededRandom(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state, 31) + char.charCodeAt(0)) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
