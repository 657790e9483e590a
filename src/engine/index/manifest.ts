// The manifest: what an index was built from and with, stored beside it.
import { readFile } from 'node:fs/promises';
import { IndexCorruptError } from './errors.js';

/** Version of the on-disk layout; indexes of another format are rebuilt, never read. */
export const indexFormat = 1;

/** Version of the chunking rules; a change makes the next ingest re-chunk every file. */
export const chunkerVersion = 1;

/** One ingested file and where its chunks sit in the chunk store. */
export interface ManifestFile {
  path: string;
  /** SHA-256 of the file's bytes. */
  hash: string;
  bytes: number;
  /** Id of the file's first chunk; a file's chunks are stored consecutively. */
  firstChunk: number;
  chunkCount: number;
}

/** Settings that decide the chunks; files are re-chunked when any of them changes. */
export interface ChunkSettings {
  chunkTokens: number;
  overlapTokens: number;
  /** `model`: counted with the model's tokenizer; `estimate`: a conservative estimate. */
  tokenCounter: 'model' | 'estimate';
  chunkerVersion: number;
}

/** Similarity of random chunk pairs, the background that a dense score must clear to count as evidence. */
export interface DenseCalibration {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Contents of `manifest.json`. */
export interface Manifest {
  format: number;
  version: string;
  builtAt: string;
  model: string;
  dims: number;
  dtype: string;
  chunking: ChunkSettings;
  /** FAISS index type: exact inner product (`flat`) or HNSW graph (`hnsw`). */
  faiss: { kind: 'flat' | 'hnsw'; descriptor: string };
  chunks: number;
  files: ManifestFile[];
  /** Files with an ingestible name whose content could not be used, with the reason. */
  unreadable: { path: string; reason: string }[];
  calibration: DenseCalibration;
}

/** Reads and checks `manifest.json` of an index folder. */
export async function readManifest(file: string, indexDir: string): Promise<Manifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new IndexCorruptError(indexDir, 'manifest.json is missing or not valid JSON', error);
  }
  const manifest = parsed as Partial<Manifest>;
  if (manifest.format !== indexFormat) {
    throw new IndexCorruptError(indexDir, `index format ${String(manifest.format)} is not the supported format ${indexFormat}`);
  }
  const problems = [
    typeof manifest.version !== 'string' && 'version',
    typeof manifest.model !== 'string' && 'model',
    !Number.isInteger(manifest.dims) && 'dims',
    typeof manifest.dtype !== 'string' && 'dtype',
    !Number.isInteger(manifest.chunks) && 'chunks',
    !Array.isArray(manifest.files) && 'files',
    typeof manifest.chunking !== 'object' && 'chunking',
    typeof manifest.calibration !== 'object' && 'calibration',
  ].filter(Boolean);
  if (problems.length > 0) throw new IndexCorruptError(indexDir, `manifest.json lacks valid ${problems.join(', ')}`);
  return manifest as Manifest;
}

/** Returns true when stored chunks and vectors of unchanged files can be reused under the new settings. */
export function canReuse(previous: Manifest, next: Pick<Manifest, 'model' | 'dims' | 'dtype' | 'chunking'>): boolean {
  return (
    previous.model === next.model &&
    previous.dims === next.dims &&
    previous.dtype === next.dtype &&
    previous.chunking.chunkTokens === next.chunking.chunkTokens &&
    previous.chunking.overlapTokens === next.chunking.overlapTokens &&
    previous.chunking.tokenCounter === next.chunking.tokenCounter &&
    previous.chunking.chunkerVersion === next.chunking.chunkerVersion
  );
}
