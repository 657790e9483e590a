import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { chunkDocument, chunkDocumentSteps, chunkPause } from '../src/engine/ingest/chunker.js';
import { toLines } from '../src/engine/ingest/loaders.js';
import { estimateTokens } from '../src/engine/ingest/tokens.js';
import { createEmbedder, ingestFolder, type Embedder, type IngestProgress } from '../src/engine/knowledge.js';
import { silentLogger } from '../src/observability/logger.js';

const logger = silentLogger();

/** A list of 20,000 short items with a blank line every 50 lines: about 200 KB in a single section. */
const longList = Array.from({ length: 20_000 }, (_, index) => (index % 50 === 0 ? '' : `- item ${index} of the long list`)).join('\n');

let workDir: string;
let embedder: Embedder;

function testConfig(name: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: path.join(workDir, name, 'data'),
    MODELS_DIR: path.resolve('tests/fixtures'),
    MODELS_CACHE_DIR: path.join(workDir, 'models-cache'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
    ...extra,
  });
}

function writeLongList(name: string): string {
  const folder = path.join(workDir, name, 'docs');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'list.md'), longList);
  return folder;
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-ingest-pacing-'));
  embedder = await createEmbedder(testConfig('model'), logger);
});

afterAll(async () => {
  await embedder?.close?.();
  rmSync(workDir, { recursive: true, force: true });
});

describe('chunkDocumentSteps', () => {
  it('pauses within one large section', () => {
    const lines = toLines('markdown', longList);
    const options = { chunkTokens: 128, overlapTokens: 16, countTokens: estimateTokens };
    const steps = [...chunkDocumentSteps(lines, options)];
    const pauses = steps.filter((step) => step === chunkPause).length;
    expect(pauses).toBeGreaterThan(5);
    expect(steps.filter((step) => step !== chunkPause)).toEqual(chunkDocument(lines, options));
  });
});

describe('ingest pacing', () => {
  it('reports progress after every embedding batch', async () => {
    const progress: IngestProgress[] = [];
    const config = testConfig('batches', { EMBEDDING_BATCH_SIZE: '16' });
    const report = await ingestFolder({ config, logger, folder: writeLongList('batches'), embedder, onProgress: (p) => progress.push({ ...p }) });

    const embedEvents = progress.filter((p) => p.phase === 'embed');
    expect(embedEvents).toHaveLength(Math.ceil(report.chunks / 16));
    expect(embedEvents.map((p) => p.embedded)).toEqual(embedEvents.map((_, index) => Math.min(report.chunks, (index + 1) * 16)));
    // All of these batches belong to the only file, so the file count alone would have stalled.
    expect(embedEvents.every((p) => p.files === 1 && p.totalFiles === 1)).toBe(true);
  });

  it('lets other tasks run while chunking a file', async () => {
    let immediateRan = false;
    let scheduled = false;
    let countsAfterImmediate = 0;
    const observing: Embedder = {
      modelId: embedder.modelId,
      dims: embedder.dims,
      dtype: embedder.dtype,
      embed: embedder.embed.bind(embedder),
      countTokens: (text) => {
        // The first count schedules a task; counts that follow it show that chunking gave way to it.
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => {
            immediateRan = true;
          });
        }
        if (immediateRan) countsAfterImmediate++;
        return embedder.countTokens?.(text) ?? 0;
      },
    };

    await ingestFolder({ config: testConfig('event-loop'), logger, folder: writeLongList('event-loop'), embedder: observing });
    expect(immediateRan).toBe(true);
    expect(countsAfterImmediate).toBeGreaterThan(0);
  });

  it('stops at a pause when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('ingest interrupted');
    const aborting: Embedder = {
      modelId: embedder.modelId,
      dims: embedder.dims,
      dtype: embedder.dtype,
      embed: embedder.embed.bind(embedder),
      countTokens: (text) => {
        controller.abort(reason);
        return embedder.countTokens?.(text) ?? 0;
      },
    };
    const ingest = ingestFolder({ config: testConfig('abort'), logger, folder: writeLongList('abort'), embedder: aborting, signal: controller.signal });
    await expect(ingest).rejects.toBe(reason);
  });
});
