import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { chunkDocument } from '../src/engine/ingest/chunker.js';
import { cleanMarkdown } from '../src/engine/ingest/markdown.js';
import { createEmbedder, IngestFileError, ingestFolder, type Embedder } from '../src/engine/knowledge.js';
import { createLogger, silentLogger } from '../src/observability/logger.js';

const logger = silentLogger();

/** Counts words, so that tests can make every line its own chunk. */
const countWords = (text: string): number => text.split(/\s+/).filter((word) => word !== '').length;

let workDir: string;
let embedder: Embedder;

/** Test configuration: the tiny fixture model loaded through the production path, no downloads. */
function testConfig(name: string): Config {
  return loadConfig({
    DATA_DIR: path.join(workDir, name, 'data'),
    MODELS_DIR: path.resolve('tests/fixtures'),
    MODELS_CACHE_DIR: path.join(workDir, 'models-cache'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
  });
}

/** Creates a folder of documents from a map of relative path to content. */
function writeDocs(name: string, files: Record<string, string>): string {
  const folder = path.join(workDir, name, 'docs');
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    writeFileSync(path.join(folder, relative), content);
  }
  return folder;
}

function currentVersion(config: Config): string {
  return readFileSync(path.join(config.dataDir, 'CURRENT'), 'utf8').trim();
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-ingest-failures-'));
  embedder = await createEmbedder(testConfig('model'), logger);
});

afterAll(async () => {
  await embedder?.close?.();
  rmSync(workDir, { recursive: true, force: true });
});

describe('long inputs', () => {
  it('cleans Markdown of 130,000 lines', () => {
    const lines = Array.from({ length: 130_000 }, (_, index) => `- item ${index}`);
    const cleaned = cleanMarkdown(lines.join('\n')).split('\n');
    expect(cleaned).toHaveLength(130_000);
    expect(cleaned.at(-1)).toBe('- item 129999');
  });

  it('chunks a section into 150,000 chunks', () => {
    const lines = Array.from({ length: 150_000 }, (_, index) => ({ text: `w${index}`, line: index + 1 }));
    const chunks = chunkDocument(lines, { chunkTokens: 3, overlapTokens: 0, countTokens: countWords });
    expect(chunks).toHaveLength(150_000);
    expect(chunks.at(-1)).toMatchObject({ lineStart: 150_000, lineEnd: 150_000, text: 'w149999' });
  });

  it('splits one line into 200,000 pieces', () => {
    const words = Array.from({ length: 400_000 }, (_, index) => `w${index}`);
    const chunks = chunkDocument([{ text: `a. ${words.join(' ')}`, line: 1 }], { chunkTokens: 4, overlapTokens: 0, countTokens: countWords });
    expect(chunks.length).toBeGreaterThan(200_000);
    expect(chunks.at(-1)?.text).toBe('w399998 w399999');
  });

  it('ingests a Markdown file of 130,000 lines', async () => {
    const lines = Array.from({ length: 130_000 }, (_, index) => (index % 50 === 0 ? '' : `- item ${index}`));
    const folder = writeDocs('large', { 'hub/large.md': lines.join('\n'), 'hub/small.md': '# Small\n\nA short page.\n' });
    const report = await ingestFolder({ config: testConfig('large'), logger, folder, embedder });
    expect(report.skipped).toEqual([]);
    expect(report.files).toBe(2);
    expect(report.chunks).toBeGreaterThan(1000);
  });
});

describe('files that fail', () => {
  it('skips a file that fails to parse', async () => {
    const folder = writeDocs('parse', { 'hub/good.md': '# Good\n\nReadable text.\n', 'hub/x.md': '# X\n\nThis file fails.\n' });
    const report = await ingestFolder({
      config: testConfig('parse'),
      logger,
      folder,
      embedder,
      hooks: {
        beforeChunk: (file) => {
          if (file === 'hub/x.md') throw new RangeError('Maximum call stack size exceeded');
        },
      },
    });
    expect(report.files).toBe(1);
    expect(report.skipped).toEqual([{ path: 'hub/x.md', reason: 'could not be chunked: Maximum call stack size exceeded' }]);
  });

  it('skips a file removed during the ingest', async () => {
    const folder = writeDocs('removed', { 'a.md': '# A\n\nFirst file.\n', 'b.md': '# B\n\nSecond file.\n' });
    const report = await ingestFolder({
      config: testConfig('removed'),
      logger,
      folder,
      embedder,
      onProgress: (progress) => {
        if (progress.phase === 'chunk' && progress.files === 1) unlinkSync(path.join(folder, 'b.md'));
      },
    });
    expect(report.files).toBe(1);
    expect(report.skipped).toEqual([{ path: 'b.md', reason: 'could not be read (ENOENT: no such file or directory)' }]);
  });

  it('names the file when the tokenizer fails', async () => {
    const folder = writeDocs('tokenizer', { 'hub/good.md': '# Good\n\nReadable text.\n' });
    const config = testConfig('tokenizer');
    await ingestFolder({ config, logger, folder, embedder });
    const before = currentVersion(config);

    writeFileSync(path.join(folder, 'hub', 'x.md'), '# X\n\nA poisoned page.\n');
    const failing: Embedder = {
      modelId: embedder.modelId,
      dims: embedder.dims,
      dtype: embedder.dtype,
      embed: embedder.embed.bind(embedder),
      countTokens: (text) => {
        if (text.includes('poisoned')) throw new Error('tokenizer crashed');
        return embedder.countTokens?.(text) ?? 0;
      },
    };
    const error = await ingestFolder({ config, logger, folder, embedder: failing }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IngestFileError);
    expect((error as Error).message).toBe('while ingesting hub/x.md: tokenizer crashed');
    expect(currentVersion(config)).toBe(before);
  });
});

describe('empty knowledge folder', () => {
  it('warns when no file is supported', async () => {
    const folder = writeDocs('empty', { 'logo.png': 'not an image', 'notes.yml': 'a: 1\n' });
    const records: { level: number; msg: string; folder?: string }[] = [];
    const destination = new Writable({
      write(line: Buffer, _encoding, done) {
        records.push(JSON.parse(line.toString()));
        done();
      },
    });
    const recording = createLogger({ level: 'warn', destination, pretty: false });

    const report = await ingestFolder({ config: testConfig('empty'), logger: recording, folder, embedder });
    expect(report.chunks).toBe(0);
    expect(report.warnings).toEqual([
      `The folder ${folder} contains no Markdown, HTML or text files (.md, .markdown, .mdx, .txt, .text, .html, .htm), so the index is empty; 2 files were skipped.`,
    ]);
    const logged = records.find((record) => record.msg === report.warnings?.[0]);
    expect(logged?.level).toBe(40);
    expect(logged?.folder).toBe(folder);
  });

  it('warns when every file was skipped', async () => {
    const folder = writeDocs('all-skipped', { 'broken.md': 'binary\u0000content' });
    const report = await ingestFolder({ config: testConfig('all-skipped'), logger, folder, embedder });
    expect(report.warnings).toEqual([`No file in ${folder} could be indexed, so the index is empty; 1 file was skipped. The skipped list gives each reason.`]);
  });

  it('adds no warning when files were indexed', async () => {
    const folder = writeDocs('indexed', { 'page.md': '# Page\n\nSome text.\n' });
    const report = await ingestFolder({ config: testConfig('indexed'), logger, folder, embedder });
    expect(report.warnings).toBeUndefined();
  });
});
