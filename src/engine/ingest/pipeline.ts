// Ingest: scan a folder, chunk new and changed files, embed them in batches,
// copy the stored chunks and vectors of unchanged files, then write a new index
// version beside the old one and switch to it atomically.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { Chunk } from '../types.js';
import { createEmbedder, type Embedder } from '../embedding/embedder.js';
import { buildFaissIndex, calibrateDense } from '../index/faiss.js';
import { acquireIngestLock, commitBuild, createBuildDir, currentIndexDir, indexFiles, listIndexDirs, removeStale, syncDir, writeFileSynced } from '../index/layout.js';
import { canReuse, chunkerVersion, indexFormat, readManifest, type ChunkSettings, type Manifest, type ManifestFile } from '../index/manifest.js';
import { ChunkCursor, StoreWriter, VectorReader } from '../index/store.js';
import { embeddingText } from './chunker.js';
import { readFailureReason, scanSources, sourceExtensions, type SkippedFile, type SourceFile, type SourceLine } from './loaders.js';
import { chunkSource } from './source-chunks.js';
import { estimateTokens } from './tokens.js';

/** Progress of a running ingest. */
export interface IngestProgress {
  files: number;
  totalFiles: number;
  /** Chunks queued so far: chunked from new and changed files, or copied from the previous index. */
  chunks: number;
  /** Chunks embedded so far in this run; reported after every embedding batch. */
  embedded?: number;
  chunksPerSecond: number;
  phase: 'scan' | 'chunk' | 'embed' | 'write' | 'done';
}

/** Outcome of an ingest. */
export interface IngestReport {
  files: number;
  skipped: { path: string; reason: string }[];
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  chunks: number;
  embedded: number;
  version: string;
  ms: number;
  /** Problems worth the user's attention that did not stop the ingest, such as an empty index. */
  warnings?: string[];
}

/** Steps of writing a new index version, in order, as passed to `IngestHooks.beforeStep`. */
export type WriteStep = 'faiss' | 'calibrate' | 'manifest' | 'commit';

/** Hooks for tests. */
export interface IngestHooks {
  /** Called before each write step; an error it throws makes the ingest fail at that point. */
  beforeStep?(step: WriteStep, buildDir: string): void | Promise<void>;
  /** Called before a new or changed file is chunked; an error it throws counts as a parse failure, so the file is skipped. */
  beforeChunk?(path: string, lines: SourceLine[]): void;
}

/** Options of `ingestFolder`. */
export interface IngestOptions {
  config: Config;
  logger: Logger;
  /** Folder (or single file) to ingest; source paths are relative to it. */
  folder: string;
  /** Embedder to use; by default one is created from the config and closed at the end. */
  embedder?: Embedder;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
  hooks?: IngestHooks;
}

/**
 * Pending chunks that are collected and sorted by length before embedding. A
 * batch is padded to its longest text, so batches of similar lengths waste less
 * compute; the window keeps memory bounded.
 */
const sortWindowChunks = 256;

/**
 * Ingests `options.folder` into `config.dataDir`. Only new and changed files are
 * embedded; the previous index stays usable until the new one is complete.
 */
export async function ingestFolder(options: IngestOptions): Promise<IngestReport> {
  const { config } = options;
  const started = Date.now();
  const log = options.logger.child({ component: 'ingest' });
  const folder = path.resolve(options.folder);
  const emit = (progress: Omit<IngestProgress, 'totalFiles'> & { totalFiles?: number }): void => options.onProgress?.({ totalFiles: 0, ...progress });

  const release = await acquireIngestLock(config.dataDir);
  try {
    // Holding the lock, any build folder is one that a killed ingest left behind.
    await removeStale(config.dataDir, [currentIndexDir(config.dataDir), ...listIndexDirs(config.dataDir)]);
    const embedder = options.embedder ?? (await createEmbedder(config, options.logger));
    try {
      return await ingestWith(embedder, folder, options, log, emit, started);
    } finally {
      if (options.embedder === undefined) await embedder.close?.();
    }
  } finally {
    await release();
  }
}

/** Scans, then either reports the active index as current or builds a new version. */
async function ingestWith(
  embedder: Embedder,
  folder: string,
  options: IngestOptions,
  log: Logger,
  emit: (progress: Omit<IngestProgress, 'totalFiles'> & { totalFiles?: number }) => void,
  started: number,
): Promise<IngestReport> {
  const { config, signal } = options;
  emit({ phase: 'scan', files: 0, chunks: 0, chunksPerSecond: 0 });
  const scan = await scanSources(folder);
  const { hashes, unreadable } = await hashFiles(scan.files, log, signal);
  const files = scan.files.filter((file) => hashes.has(file.path));
  const skipped = sortByPath([...scan.skipped, ...unreadable]);

  const chunking: ChunkSettings = {
    chunkTokens: config.chunkTokens,
    overlapTokens: config.chunkOverlapTokens,
    tokenCounter: embedder.countTokens ? 'model' : 'estimate',
    chunkerVersion,
  };
  const settings = { model: embedder.modelId, dims: embedder.dims, dtype: embedder.dtype, chunking };
  const version = indexVersion(settings, files, hashes);
  const previous = await readPreviousManifest(config.dataDir, log);

  // Same settings and same file contents: the active index is already this version.
  if (previous?.manifest.version === version && canReuse(previous.manifest, settings)) {
    const report = unchangedReport(previous.manifest, skipped, started);
    emit({ phase: 'done', files: files.length, totalFiles: files.length, chunks: report.chunks, chunksPerSecond: 0 });
    log.info({ version, files: files.length }, 'index is up to date');
    return withEmptyIndexWarning(report, folder, scan.files.length, log);
  }

  const build = new IndexBuild({ config, embedder, log, files, hashes, skipped, previous, settings, version, emit, signal, hooks: options.hooks });
  const report = await build.run();
  log.info({ ...report, skipped: report.skipped.length }, 'ingest finished');
  return withEmptyIndexWarning({ ...report, ms: Date.now() - started }, folder, scan.files.length, log);
}

/**
 * Adds a warning to a report that indexed no file, and logs it. An empty index is
 * valid, but it is almost always a wrong folder or a folder of unsupported files.
 */
function withEmptyIndexWarning(report: IngestReport, folder: string, found: number, log: Logger): IngestReport {
  if (report.files > 0) return report;
  const skipped = report.skipped.length;
  const skippedText = `${skipped} ${skipped === 1 ? 'file was' : 'files were'} skipped`;
  const warning =
    found === 0
      ? `The folder ${folder} contains no Markdown, HTML or text files (${Object.keys(sourceExtensions).join(', ')}), so the index is empty; ${skippedText}.`
      : `No file in ${folder} could be indexed, so the index is empty; ${skippedText}. The skipped list gives each reason.`;
  log.warn({ folder, skipped }, warning);
  return { ...report, warnings: [...(report.warnings ?? []), warning] };
}

/**
 * Reads and hashes every file, so the new index version is known before anything is embedded.
 * A file that cannot be read is left out and returned in `unreadable`.
 */
async function hashFiles(files: SourceFile[], log: Logger, signal?: AbortSignal): Promise<{ hashes: Map<string, string>; unreadable: SkippedFile[] }> {
  const hashes = new Map<string, string>();
  const unreadable: SkippedFile[] = [];
  for (const file of files) {
    signal?.throwIfAborted();
    let content: Buffer;
    try {
      content = await readFile(file.absolutePath);
    } catch (error) {
      const reason = readFailureReason(error);
      unreadable.push({ path: file.path, reason });
      log.warn({ path: file.path, reason }, `Skipped ${file.path}: ${reason}`);
      continue;
    }
    hashes.set(file.path, createHash('sha256').update(content).digest('hex'));
  }
  return { hashes, unreadable };
}

/** The version is a hash of everything that decides the index content, so re-ingesting unchanged files keeps it. */
function indexVersion(settings: Pick<Manifest, 'model' | 'dims' | 'dtype' | 'chunking'>, files: SourceFile[], hashes: Map<string, string>): string {
  const hash = createHash('sha256').update(JSON.stringify({ format: indexFormat, ...settings }));
  for (const file of files) hash.update(`\n${file.path}\t${hashes.get(file.path)}`);
  return hash.digest('hex').slice(0, 16);
}

async function readPreviousManifest(dataDir: string, log: Logger): Promise<{ dir: string; manifest: Manifest } | undefined> {
  const dir = currentIndexDir(dataDir);
  if (dir === undefined) return undefined;
  try {
    return { dir, manifest: await readManifest(path.join(dir, indexFiles.manifest), dir) };
  } catch (error) {
    log.warn({ err: error, dir }, 'previous index is unreadable; every file will be embedded again');
    return undefined;
  }
}

function unchangedReport(manifest: Manifest, skipped: SkippedFile[], started: number): IngestReport {
  const files = manifest.files.length;
  return { files, skipped: sortByPath([...skipped, ...(manifest.unreadable ?? [])]), added: 0, changed: 0, removed: 0, unchanged: files, chunks: manifest.chunks, embedded: 0, version: manifest.version, ms: Date.now() - started };
}

function sortByPath(files: SkippedFile[]): SkippedFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A chunk waiting to be written, with its vector once it has one. */
interface QueuedChunk {
  chunk: Omit<Chunk, 'id'>;
  vector?: Float32Array;
}

interface BuildInput {
  config: Config;
  embedder: Embedder;
  log: Logger;
  files: SourceFile[];
  hashes: Map<string, string>;
  skipped: SkippedFile[];
  previous: { dir: string; manifest: Manifest } | undefined;
  settings: Pick<Manifest, 'model' | 'dims' | 'dtype' | 'chunking'>;
  version: string;
  emit: (progress: Omit<IngestProgress, 'totalFiles'> & { totalFiles?: number }) => void;
  signal: AbortSignal | undefined;
  hooks: IngestHooks | undefined;
}

/** One index build: streams files to chunks to embedding batches to the store, then writes and commits. */
class IndexBuild {
  private readonly queue: QueuedChunk[] = [];
  private pending = 0;
  private embedded = 0;
  private queued = 0;
  private filesDone = 0;
  private embedMs = 0;
  private writer: StoreWriter | undefined;
  private readonly counts = { added: 0, changed: 0, unchanged: 0 };

  constructor(private readonly input: BuildInput) {}

  async run(): Promise<Omit<IngestReport, 'ms'>> {
    const { config, previous, settings, version, hooks, log } = this.input;
    const buildDir = await createBuildDir(config.dataDir);
    try {
      this.writer = await StoreWriter.create(buildDir, settings.dims);
      const { manifestFiles, skipped, unreadable } = await this.chunkAndEmbed();
      await this.writer.close();
      this.writer = undefined;

      this.input.emit({ phase: 'write', files: this.input.files.length, totalFiles: this.input.files.length, chunks: this.queued, chunksPerSecond: this.rate() });
      await hooks?.beforeStep?.('faiss', buildDir);
      const faiss = await buildFaissIndex(buildDir, this.queued, settings.dims, config.hnswThreshold);
      await hooks?.beforeStep?.('calibrate', buildDir);
      const calibration = await calibrateDense(buildDir, this.queued, settings.dims, version);

      const manifest: Manifest = { format: indexFormat, version, builtAt: new Date().toISOString(), ...settings, faiss, chunks: this.queued, files: manifestFiles, unreadable, calibration };
      await hooks?.beforeStep?.('manifest', buildDir);
      await writeFileSynced(path.join(buildDir, indexFiles.manifest), `${JSON.stringify(manifest, null, 1)}\n`);
      await syncDir(buildDir);
      await hooks?.beforeStep?.('commit', buildDir);
      await commitBuild(config.dataDir, buildDir, version);

      const present = new Set(manifestFiles.map((file) => file.path));
      const removed = previous?.manifest.files.filter((file) => !present.has(file.path)).length ?? 0;
      this.input.emit({ phase: 'done', files: manifestFiles.length, totalFiles: this.input.files.length, chunks: this.queued, chunksPerSecond: this.rate() });
      return { files: manifestFiles.length, skipped, ...this.counts, removed, chunks: this.queued, embedded: this.embedded, version };
    } catch (error) {
      await this.writer?.abort();
      await rm(buildDir, { recursive: true, force: true }).catch((cleanupError: unknown) => log.warn({ err: cleanupError, buildDir }, 'could not remove the unfinished build folder'));
      throw error;
    }
  }

  /** Walks the files in order, queueing reused or freshly chunked chunks, and returns the manifest entries. */
  private async chunkAndEmbed(): Promise<{ manifestFiles: ManifestFile[]; skipped: SkippedFile[]; unreadable: SkippedFile[] }> {
    const { files, hashes, previous, settings, embedder, config, signal, log, hooks } = this.input;
    const reusable = previous !== undefined && canReuse(previous.manifest, settings) ? previous : undefined;
    const previousFiles = new Map((previous?.manifest.files ?? []).map((file) => [file.path, file]));
    const countTokens = embedder.countTokens ? (text: string) => embedder.countTokens?.(text) ?? 0 : estimateTokens;
    const unreadable: SkippedFile[] = [];
    const manifestFiles: ManifestFile[] = [];

    const cursor = reusable ? new ChunkCursor(path.join(reusable.dir, indexFiles.chunks)) : undefined;
    const vectors = reusable ? await VectorReader.open(path.join(reusable.dir, indexFiles.vectors), settings.dims) : undefined;
    try {
      for (const [position, file] of files.entries()) {
        signal?.throwIfAborted();
        const hash = hashes.get(file.path) as string;
        const before = previousFiles.get(file.path);
        const firstChunk = this.queued;

        if (before !== undefined && before.hash === hash && cursor && vectors) {
          // Unchanged file: copy its chunks and vectors from the previous index.
          const chunks = await cursor.read(before.firstChunk, before.chunkCount);
          const rows = await vectors.read(before.firstChunk, before.chunkCount);
          chunks.forEach(({ id: _id, ...chunk }, index) => this.enqueue({ chunk, vector: rows[index] }));
          manifestFiles.push({ ...before, firstChunk });
          this.counts.unchanged++;
        } else {
          const source = await chunkSource(file, { chunkTokens: config.chunkTokens, overlapTokens: config.chunkOverlapTokens, countTokens, signal, beforeChunk: hooks?.beforeChunk });
          if (source.status === 'skipped') {
            unreadable.push({ path: file.path, reason: source.reason });
            log.warn({ path: file.path, reason: source.reason }, `Skipped ${file.path}: ${source.reason}`);
            continue;
          }
          for (const draft of source.drafts) this.enqueue({ chunk: { source: file.path, ...draft } });
          manifestFiles.push({ path: file.path, hash, bytes: source.bytes, firstChunk, chunkCount: source.drafts.length });
          if (before === undefined) this.counts.added++;
          else if (before.hash === hash) this.counts.unchanged++;
          else this.counts.changed++;
        }

        this.filesDone = position + 1;
        this.input.emit({ phase: 'chunk', files: this.filesDone, totalFiles: files.length, chunks: this.queued, embedded: this.embedded, chunksPerSecond: this.rate() });
        await this.flush(false);
      }
      await this.flush(true);
    } finally {
      await cursor?.close();
      await vectors?.close();
    }
    return { manifestFiles, skipped: sortByPath([...this.input.skipped, ...unreadable]), unreadable };
  }

  private enqueue(entry: QueuedChunk): void {
    this.queue.push(entry);
    this.queued++;
    if (entry.vector === undefined) this.pending++;
  }

  /**
   * Embeds the pending chunks once a sort window is full (with `force`, whatever is
   * left), longest first in batches of similar length, writes the queue's leading
   * chunks that have vectors, and reports progress after every batch.
   */
  private async flush(force: boolean): Promise<void> {
    const batchSize = this.input.config.embeddingBatchSize;
    const window = Math.max(sortWindowChunks, batchSize);
    if (this.pending > 0 && (force || this.pending >= window || this.queue.length >= 2 * window)) {
      const pending = this.queue
        .filter((entry) => entry.vector === undefined)
        .map((entry) => ({ entry, text: embeddingText(entry.chunk) }))
        .sort((a, b) => b.text.length - a.text.length);

      for (let start = 0; start < pending.length; start += batchSize) {
        await this.embedBatch(pending.slice(start, start + batchSize));
        await this.writeReady();
        // Lets HTTP requests run between batches, such as health checks and Slack's 3-second acknowledgement.
        await yieldToEventLoop();
        this.input.signal?.throwIfAborted();
      }
    }
    await this.writeReady();
  }

  /** Embeds one batch of queued chunks and stores each vector on its queue entry. */
  private async embedBatch(batch: { entry: QueuedChunk; text: string }[]): Promise<void> {
    const { embedder, signal, files } = this.input;
    const started = Date.now();
    const vectors = await embedder.embed(batch.map((item) => item.text), signal);
    this.embedMs += Date.now() - started;
    batch.forEach((item, index) => {
      item.entry.vector = vectors[index];
    });
    this.pending -= batch.length;
    this.embedded += batch.length;
    this.input.emit({ phase: 'embed', files: this.filesDone, totalFiles: files.length, chunks: this.queued, embedded: this.embedded, chunksPerSecond: this.rate() });
  }

  /** Writes the queue's leading chunks that have vectors to the store. */
  private async writeReady(): Promise<void> {
    let ready = 0;
    while (ready < this.queue.length && this.queue[ready]?.vector !== undefined) ready++;
    if (ready === 0) return;
    const entries = this.queue.splice(0, ready);
    await this.writer?.append(
      entries.map((entry) => entry.chunk),
      entries.map((entry) => entry.vector as Float32Array),
    );
  }

  /** Chunks embedded per second of embedding time. */
  private rate(): number {
    return this.embedMs > 0 ? Math.round((this.embedded / this.embedMs) * 1000) : 0;
  }
}
