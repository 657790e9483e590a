import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createEmbedder, EmbeddingModelError, ModelCacheDirError, type Embedder } from '../src/engine/knowledge.js';
import { silentLogger } from '../src/observability/logger.js';

const logger = silentLogger();
let workDir: string;

function config(extra: Record<string, string> = {}) {
  return loadConfig({
    MODELS_DIR: path.resolve('tests/fixtures'),
    MODELS_CACHE_DIR: path.join(workDir, 'cache'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
    EMBEDDING_BATCH_SIZE: '2',
    ...extra,
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-embedder-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('createEmbedder', () => {
  for (const dtype of ['q8', 'fp32'] as const) {
    it(`loads the local model with dtype ${dtype}`, async () => {
      const embedder: Embedder = await createEmbedder(config({ EMBEDDING_DTYPE: dtype }), logger);
      expect(embedder).toMatchObject({ modelId: 'tiny-model', dtype, dims: 64 });

      const texts = ['gated model access requests', 'access requests for a gated model', 'webhook payload signature', 'storage bucket region'];
      const vectors = await embedder.embed(texts);
      expect(vectors).toHaveLength(texts.length);
      for (const vector of vectors) {
        expect(vector).toHaveLength(64);
        expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
      }
      // Word overlap makes vectors similar, as mean pooling of the lookup model should.
      expect(dot(vectors[0]!, vectors[1]!)).toBeGreaterThan(dot(vectors[0]!, vectors[2]!));
      expect(embedder.countTokens?.('Gated model, access!')).toBe(5);
      await embedder.close?.();
    });
  }

  it('names the model and where it looked when loading fails', async () => {
    const error = await createEmbedder(config({ EMBEDDING_MODEL: 'missing-model' }), logger).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmbeddingModelError);
    const message = (error as Error).message;
    expect(message).toContain('"missing-model"');
    expect(message).toContain(path.resolve('tests/fixtures'));
    expect(message).toContain('ALLOW_REMOTE_MODELS=false');
    expect(message).toContain('onnx/model_quantized.onnx');
  });

  it('rejects a cache folder that cannot be created', async () => {
    const file = path.join(workDir, 'not-a-folder');
    writeFileSync(file, 'x');
    const error = await createEmbedder(config({ MODELS_CACHE_DIR: path.join(file, 'cache') }), logger).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCacheDirError);
    expect((error as Error).message).toContain('MODELS_CACHE_DIR');
  });

  it('stops between batches when aborted', async () => {
    const embedder = await createEmbedder(config(), logger);
    const controller = new AbortController();
    controller.abort(new Error('stop embedding'));
    await expect(embedder.embed(['one', 'two', 'three'], controller.signal)).rejects.toThrow('stop embedding');
    await embedder.close?.();
  });
});
