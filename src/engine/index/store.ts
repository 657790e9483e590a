// The chunk store (`chunks.jsonl`, one chunk a line) and the vector file
// (`vectors.f32`, little-endian float32 rows, row i belongs to chunk i). Both
// are written by appending and read back by position, so re-ingest can copy
// the rows of unchanged files without embedding them again.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Chunk } from '../types.js';
import { IndexCorruptError } from './errors.js';
import { indexFiles } from './layout.js';

/** Bytes of one float32. */
const floatBytes = 4;

/** Appends chunks and their vectors to a build folder, in the same order. */
export class StoreWriter {
  private count = 0;

  private constructor(
    private readonly chunksFile: FileHandle,
    private readonly vectorsFile: FileHandle,
    readonly dims: number,
  ) {}

  /** Opens `chunks.jsonl` and `vectors.f32` in `dir` for writing. */
  static async create(dir: string, dims: number): Promise<StoreWriter> {
    const chunks = await open(path.join(dir, indexFiles.chunks), 'w');
    const vectors = await open(path.join(dir, indexFiles.vectors), 'w').catch(async (error: unknown) => {
      await chunks.close();
      throw error;
    });
    return new StoreWriter(chunks, vectors, dims);
  }

  /** Number of chunks written so far, which is also the id of the next chunk. */
  get size(): number {
    return this.count;
  }

  /** Appends chunks with their vectors; each chunk's id is set to its position. */
  async append(chunks: Omit<Chunk, 'id'>[], vectors: Float32Array[]): Promise<void> {
    if (chunks.length !== vectors.length) throw new Error(`append got ${chunks.length} chunks but ${vectors.length} vectors`);
    const lines: string[] = [];
    const rows = Buffer.alloc(vectors.length * this.dims * floatBytes);

    chunks.forEach((chunk, index) => {
      const vector = vectors[index] as Float32Array;
      if (vector.length !== this.dims) throw new Error(`vector of ${chunk.source} has ${vector.length} dimensions, expected ${this.dims}`);
      lines.push(JSON.stringify({ ...chunk, id: this.count + index }));
      for (let d = 0; d < this.dims; d++) rows.writeFloatLE(vector[d] as number, (index * this.dims + d) * floatBytes);
    });

    await this.chunksFile.write(lines.map((line) => `${line}\n`).join(''));
    await this.vectorsFile.write(rows);
    this.count += chunks.length;
  }

  /** Flushes both files to disk and closes them. */
  async close(): Promise<void> {
    try {
      await this.chunksFile.sync();
      await this.vectorsFile.sync();
    } finally {
      await this.chunksFile.close();
      await this.vectorsFile.close();
    }
  }

  /** Closes both files without flushing, after a failed build. */
  async abort(): Promise<void> {
    await this.chunksFile.close().catch(() => undefined);
    await this.vectorsFile.close().catch(() => undefined);
  }
}

/** Reads rows of a vector file by position. */
export class VectorReader {
  private constructor(
    private readonly file: FileHandle,
    readonly dims: number,
  ) {}

  static async open(file: string, dims: number): Promise<VectorReader> {
    return new VectorReader(await open(file, 'r'), dims);
  }

  /** Reads `count` rows starting at row `first`. */
  async read(first: number, count: number): Promise<Float32Array[]> {
    const rowBytes = this.dims * floatBytes;
    const buffer = Buffer.alloc(count * rowBytes);
    const { bytesRead } = await this.file.read(buffer, 0, buffer.length, first * rowBytes);
    if (bytesRead !== buffer.length) throw new Error(`vector file ends before row ${first + count}`);

    const rows: Float32Array[] = [];
    for (let row = 0; row < count; row++) {
      const vector = new Float32Array(this.dims);
      for (let d = 0; d < this.dims; d++) vector[d] = buffer.readFloatLE(row * rowBytes + d * floatBytes);
      rows.push(vector);
    }
    return rows;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** Reads a chunk store front to back, handing out ranges of chunks in increasing order. */
export class ChunkCursor {
  private readonly lines: AsyncIterator<string>;
  private position = 0;

  constructor(private readonly file: string) {
    this.lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  /** Returns chunks `first` to `first + count - 1`; `first` must not be before the previous range's end. */
  async read(first: number, count: number): Promise<Chunk[]> {
    if (first < this.position) throw new Error(`chunk ${first} was already passed (cursor at ${this.position})`);
    while (this.position < first) await this.next();
    const chunks: Chunk[] = [];
    for (let index = 0; index < count; index++) chunks.push(JSON.parse(await this.next()) as Chunk);
    return chunks;
  }

  async close(): Promise<void> {
    await this.lines.return?.();
  }

  private async next(): Promise<string> {
    const result = await this.lines.next();
    if (result.done) throw new Error(`${this.file} ends before chunk ${this.position}`);
    this.position++;
    return result.value;
  }
}

/** Reads the whole chunk store of an index folder into memory, checking ids and count. */
export async function readAllChunks(indexDir: string, expected: number): Promise<Chunk[]> {
  const file = path.join(indexDir, indexFiles.chunks);
  const chunks: Chunk[] = [];
  try {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const chunk = JSON.parse(line) as Chunk;
      if (chunk.id !== chunks.length) throw new Error(`chunk on line ${chunks.length + 1} has id ${chunk.id}`);
      chunks.push(chunk);
    }
  } catch (error) {
    throw new IndexCorruptError(indexDir, `${indexFiles.chunks} could not be read (${(error as Error).message})`, error);
  }
  if (chunks.length !== expected) throw new IndexCorruptError(indexDir, `${indexFiles.chunks} has ${chunks.length} chunks, the manifest lists ${expected}`);
  return chunks;
}
