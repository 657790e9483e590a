import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import {
  createEmbedder,
  hasIndex,
  IndexMismatchError,
  IndexNotFoundError,
  ingestFolder,
  openKnowledgeBase,
  type Embedder,
  type IngestProgress,
  type IngestReport,
} from '../src/engine/knowledge.js';
import type { Manifest } from '../src/engine/index/manifest.js';
import { silentLogger } from '../src/observability/logger.js';
import { sharedPath } from './support/shared-data.js';

const corpus = sharedPath('corpus', 'hf-hub-docs');
const logger = silentLogger();

let workDir: string;
let docs: string;
let config: Config;
let embedder: Embedder;
let first: IngestReport;
const progress: IngestProgress[] = [];

/** Test configuration: the tiny fixture model loaded through the production path, no downloads. */
function testConfig(dataDir: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: dataDir,
    MODELS_DIR: path.resolve('tests/fixtures'),
    MODELS_CACHE_DIR: path.join(workDir, 'models-cache'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
    ...extra,
  });
}

function readCurrentManifest(dataDir: string): Manifest {
  const current = readFileSync(path.join(dataDir, 'CURRENT'), 'utf8').trim();
  return JSON.parse(readFileSync(path.join(dataDir, current, 'manifest.json'), 'utf8')) as Manifest;
}

/** Wraps an embedder to record how many texts it embeds. */
function countingEmbedder(inner: Embedder): Embedder & { texts: string[] } {
  const texts: string[] = [];
  return {
    modelId: inner.modelId,
    dims: inner.dims,
    dtype: inner.dtype,
    texts,
    countTokens: (text) => inner.countTokens?.(text) ?? 0,
    embed: async (batch, signal) => {
      texts.push(...batch);
      return inner.embed(batch, signal);
    },
  };
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-kb-'));
  docs = path.join(workDir, 'docs');
  cpSync(corpus, docs, { recursive: true });
  // A binary file with an ingestible name must be skipped, not crash the ingest.
  writeFileSync(path.join(docs, 'hub', 'broken.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));

  config = testConfig(path.join(workDir, 'data'));
  embedder = await createEmbedder(config, logger);
  first = await ingestFolder({ config, logger, folder: docs, embedder, onProgress: (p) => progress.push(p) });
});

afterAll(async () => {
  await embedder?.close?.();
  rmSync(workDir, { recursive: true, force: true });
});

describe('ingestFolder on the corpus', () => {
  it('indexes every Markdown file', () => {
    const markdownFiles = readdirSync(corpus, { recursive: true }).filter((name) => String(name).endsWith('.md'));
    expect(first.files).toBe(markdownFiles.length);
    expect(first.added).toBe(markdownFiles.length);
    expect(first.changed + first.removed + first.unchanged).toBe(0);
    expect(first.chunks).toBeGreaterThan(first.files);
    expect(first.embedded).toBe(first.chunks);
  });

  it('skips binary and unknown files with a reason', () => {
    const reasons = Object.fromEntries(first.skipped.map((file) => [file.path, file.reason]));
    expect(reasons['hub/broken.md']).toBe('binary content or not UTF-8 text');
    expect(reasons['hub/_toctree.yml']).toMatch(/^unsupported file type \.yml/);
    expect(reasons.LICENSE).toMatch(/^no file extension/);
  });

  it('writes a manifest that describes the index', () => {
    const manifest = readCurrentManifest(config.dataDir);
    expect(hasIndex(config.dataDir)).toBe(true);
    expect(manifest).toMatchObject({ version: first.version, model: 'tiny-model', dims: embedder.dims, dtype: 'q8', chunks: first.chunks });
    expect(manifest.chunking).toMatchObject({ chunkTokens: config.chunkTokens, overlapTokens: config.chunkOverlapTokens, tokenCounter: 'model' });
    const overview = manifest.files.find((file) => file.path === 'hub/spaces-overview.md');
    expect(overview?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.files.reduce((sum, file) => sum + file.chunkCount, 0)).toBe(manifest.chunks);
    expect(manifest.calibration.samples).toBeGreaterThan(0);
  });

  it('reports progress through every phase', () => {
    const phases = new Set(progress.map((p) => p.phase));
    for (const phase of ['scan', 'chunk', 'embed', 'write', 'done'] as const) expect(phases.has(phase)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', chunks: first.chunks });
  });

  it('keeps source paths, heading paths and line ranges', async () => {
    const knowledge = await openKnowledgeBase({ config, logger, embedder });
    const { hits } = await knowledge.search('spaces hardware hourly price L40S', { mode: 'lexical', k: 5 });
    const hit = hits.find((h) => h.chunk.source === 'hub/spaces-overview.md');
    expect(hit?.chunk.heading.startsWith('Spaces Overview')).toBe(true);
    // Table padding is collapsed in chunks, so both sides are compared with single spaces.
    const squeeze = (text: string) => text.replace(/[ \t]+/g, ' ');
    const lines = readFileSync(path.join(corpus, 'hub/spaces-overview.md'), 'utf8').split('\n');
    const lastLine = hit?.chunk.text.split('\n').at(-1) ?? '';
    expect(squeeze(lines.slice((hit?.chunk.lineStart ?? 1) - 1, hit?.chunk.lineEnd).join('\n'))).toContain(squeeze(lastLine));
    expect(squeeze(lines[(hit?.chunk.lineEnd ?? 1) - 1] ?? '')).toContain(squeeze(lastLine));
    await knowledge.close();
  });

  it('keeps the version when nothing changed', async () => {
    const again = await ingestFolder({ config, logger, folder: docs, embedder });
    expect(again).toMatchObject({ version: first.version, unchanged: first.files, embedded: 0, added: 0, changed: 0, removed: 0 });
  });
});

describe('incremental re-ingest', () => {
  it('embeds only the changed file and reloads', async () => {
    const knowledge = await openKnowledgeBase({ config, logger, embedder });
    const before = knowledge.info().version;

    const file = path.join(docs, 'hub', 'doi.md');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n## Zanzibar clause\n\nThe zanzibar quokka clause lets you cite a dataset twice.\n`);
    const counting = countingEmbedder(embedder);
    const report = await ingestFolder({ config, logger, folder: docs, embedder: counting });

    const manifest = readCurrentManifest(config.dataDir);
    const doi = manifest.files.find((entry) => entry.path === 'hub/doi.md');
    expect(report).toMatchObject({ changed: 1, added: 0, removed: 0, unchanged: first.files - 1 });
    expect(report.embedded).toBe(doi?.chunkCount);
    expect(counting.texts.length).toBe(doi?.chunkCount);
    expect(counting.texts.some((text) => text.includes('zanzibar quokka'))).toBe(true);

    expect(knowledge.info().version).toBe(before);
    await knowledge.reload();
    expect(knowledge.info().version).toBe(report.version);
    const { hits } = await knowledge.search('zanzibar quokka clause', { mode: 'lexical' });
    expect(hits[0]?.chunk.source).toBe('hub/doi.md');
    await knowledge.close();
  });

  it('drops deleted files', async () => {
    unlinkSync(path.join(docs, 'hub', 'paper-pages.md'));
    const counting = countingEmbedder(embedder);
    const report = await ingestFolder({ config, logger, folder: docs, embedder: counting });
    expect(report).toMatchObject({ removed: 1, changed: 0, added: 0, embedded: 0 });
    expect(counting.texts).toHaveLength(0);
    const manifest = readCurrentManifest(config.dataDir);
    expect(manifest.files.some((file) => file.path === 'hub/paper-pages.md')).toBe(false);

    const knowledge = await openKnowledgeBase({ config, logger, embedder });
    const { hits } = await knowledge.search('paper pages arxiv acl anthology', { mode: 'lexical', k: 10 });
    expect(hits.some((hit) => hit.chunk.source === 'hub/paper-pages.md')).toBe(false);
    await knowledge.close();
  });

  it('keeps the previous index when a write fails', async () => {
    const before = readCurrentManifest(config.dataDir).version;
    writeFileSync(path.join(docs, 'hub', 'crash-test.md'), '# Crash test\n\nThis file never makes it into the index.\n');

    for (const step of ['faiss', 'manifest', 'commit'] as const) {
      const failing = ingestFolder({
        config,
        logger,
        folder: docs,
        embedder,
        hooks: {
          beforeStep: (current) => {
            if (current === step) throw new Error(`simulated crash before ${step}`);
          },
        },
      });
      await expect(failing).rejects.toThrow(`simulated crash before ${step}`);
      expect(readCurrentManifest(config.dataDir).version).toBe(before);
    }

    const knowledge = await openKnowledgeBase({ config, logger, embedder });
    expect(knowledge.info().version).toBe(before);
    const { hits } = await knowledge.search('zanzibar quokka clause', { mode: 'lexical' });
    expect(hits[0]?.chunk.source).toBe('hub/doi.md');
    await knowledge.close();
    unlinkSync(path.join(docs, 'hub', 'crash-test.md'));
  });

  it('ignores a build folder left by a killed ingest', async () => {
    const leftover = path.join(config.dataDir, '.build-99999-dead');
    cpSync(path.join(config.dataDir, readFileSync(path.join(config.dataDir, 'CURRENT'), 'utf8').trim()), leftover, { recursive: true });
    writeFileSync(path.join(leftover, 'index.faiss'), 'truncated');
    const knowledge = await openKnowledgeBase({ config, logger, embedder });
    expect(knowledge.info().chunks).toBeGreaterThan(0);
    await knowledge.close();

    await ingestFolder({ config, logger, folder: docs, embedder });
    expect(existsSync(leftover)).toBe(false);
  });
});

describe('openKnowledgeBase', () => {
  it('rejects an index built with another model', async () => {
    const other: Embedder = { modelId: 'other-model', dims: embedder.dims, dtype: 'q8', embed: embedder.embed.bind(embedder) };
    const error = await openKnowledgeBase({ config, logger, embedder: other }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect((error as Error).message).toContain('Re-ingest');
    expect((error as Error).message).toContain('tiny-model');
  });

  it('rejects an index with other dimensions', async () => {
    const other: Embedder = { modelId: 'tiny-model', dims: embedder.dims * 2, dtype: 'q8', embed: embedder.embed.bind(embedder) };
    await expect(openKnowledgeBase({ config, logger, embedder: other })).rejects.toBeInstanceOf(IndexMismatchError);
  });

  it('rejects an index built with another dtype', async () => {
    const fp32 = testConfig(config.dataDir, { EMBEDDING_DTYPE: 'fp32' });
    await expect(openKnowledgeBase({ config: fp32, logger })).rejects.toBeInstanceOf(IndexMismatchError);
  });

  it('reports a missing index', async () => {
    const empty = testConfig(path.join(workDir, 'no-index'));
    expect(hasIndex(empty.dataDir)).toBe(false);
    const error = await openKnowledgeBase({ config: empty, logger, embedder }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexNotFoundError);
    expect((error as Error).message).toContain('ragbot ingest');
  });
});
