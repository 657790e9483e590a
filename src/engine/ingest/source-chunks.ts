// Reading and chunking one source file for the ingest pipeline. A file that
// cannot be read or parsed is skipped with a one-line reason, like a binary
// file. A failing tokenizer stops the ingest with an error that names the file,
// because skipping would drop every file and replace a good index with an empty one.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { chunkDocumentSteps, chunkPause, type ChunkDraft, type TokenCounter } from './chunker.js';
import { UnreadableSourceError, firstLine, loadSource, type SourceFile, type SourceLine } from './loaders.js';

/** Thrown when reading or chunking one file fails for a reason that skipping the file would hide, such as a failing tokenizer. */
export class IngestFileError extends Error {
  override readonly name = 'IngestFileError';

  constructor(
    readonly sourcePath: string,
    cause: unknown,
  ) {
    super(`while ingesting ${sourcePath}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The chunks of one file, or the reason it was skipped. */
export type SourceChunks = { status: 'chunked'; bytes: number; drafts: ChunkDraft[] } | { status: 'skipped'; reason: string };

/** Options of `chunkSource`. */
export interface ChunkSourceOptions {
  chunkTokens: number;
  overlapTokens: number;
  /** The embedder's tokenizer, or an estimate; an error it throws fails the ingest. */
  countTokens: TokenCounter;
  signal?: AbortSignal;
  /** Test hook called before chunking; an error it throws counts as a parse failure of the file. */
  beforeChunk?: (path: string, lines: SourceLine[]) => void;
}

/**
 * Reads and chunks one file, letting the event loop run between pieces of work.
 * Returns `skipped` with a one-line reason when the file cannot be read or parsed.
 * Throws the abort reason when `signal` aborts, and `IngestFileError` for any other failure.
 */
export async function chunkSource(file: SourceFile, options: ChunkSourceOptions): Promise<SourceChunks> {
  // NOTE: reading and cleaning a file is one synchronous step. It takes about 100 ms per MB
  // of Markdown (measured on a 2-core container), so a file near the 20 MB limit still
  // blocks the event loop for a second or two. Only the chunking after it is paced.
  let loaded;
  try {
    loaded = await loadSource(file);
  } catch (error) {
    if (error instanceof UnreadableSourceError) return { status: 'skipped', reason: error.reason };
    throw new IngestFileError(file.path, error);
  }
  await yieldToEventLoop();

  // Tokenizer errors are kept apart from chunker errors, because only chunker errors depend on this file alone.
  let tokenizerError: { error: unknown } | undefined;
  const countTokens: TokenCounter = (text) => {
    try {
      return options.countTokens(text);
    } catch (error) {
      tokenizerError = { error };
      throw error;
    }
  };

  try {
    options.beforeChunk?.(file.path, loaded.lines);
    const drafts: ChunkDraft[] = [];
    for (const step of chunkDocumentSteps(loaded.lines, { chunkTokens: options.chunkTokens, overlapTokens: options.overlapTokens, countTokens })) {
      if (step !== chunkPause) {
        drafts.push(step);
        continue;
      }
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
    }
    return { status: 'chunked', bytes: loaded.bytes, drafts };
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    if (tokenizerError !== undefined) throw new IngestFileError(file.path, tokenizerError.error);
    return { status: 'skipped', reason: `could not be chunked: ${firstLine(error)}` };
  }
}
