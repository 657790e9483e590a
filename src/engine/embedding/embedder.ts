// Sentence embeddings with transformers.js: a feature-extraction pipeline with
// mean pooling and L2 normalisation, loaded from MODELS_DIR first and from the
// Hub only when ALLOW_REMOTE_MODELS is true.
import { accessSync, constants, mkdirSync } from 'node:fs';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { EmbeddingModelError, EmbeddingShapeError, ModelCacheDirError, type ModelLookup } from './errors.js';

/** A text embedder: one normalised, mean-pooled vector per text. */
export interface Embedder {
  readonly modelId: string;
  readonly dims: number;
  readonly dtype: string;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Number of word pieces the model's tokenizer makes of `text`, without the special tokens. */
  countTokens?(text: string): number;
  /** Releases the model's native resources. */
  close?(): Promise<void>;
}

/** Time limit of one HTTP request made while downloading model files. */
const downloadRequestTimeoutMs = 300_000;

/** Attempts at loading the model when downloads are allowed; local loads are tried once. */
const maxLoadAttempts = 3;

/** Text embedded once after loading to learn the vector size. */
const dimensionProbe = 'dimension probe';

/**
 * Loads the embedding model named by `config.embeddingModel` and returns an embedder.
 * Throws `ModelCacheDirError` when the cache folder is not writable and
 * `EmbeddingModelError` when the model cannot be loaded.
 */
export async function createEmbedder(config: Config, logger: Logger): Promise<Embedder> {
  const log = logger.child({ component: 'embedder' });
  const transformers = await import('@huggingface/transformers');
  const { env } = transformers;

  // transformers.js keeps its settings in one global object; set all of them on every load.
  if (config.modelsDir !== undefined) env.localModelPath = withTrailingSlash(config.modelsDir);
  env.allowLocalModels = true;
  env.allowRemoteModels = config.allowRemoteModels;
  if (config.modelsCacheDir !== undefined) env.cacheDir = config.modelsCacheDir;
  if (config.allowRemoteModels || config.modelsCacheDir !== undefined) checkWritable(env.cacheDir ?? config.modelsCacheDir);
  env.fetch = fetchWithTimeout;

  const lookup: ModelLookup = {
    modelId: config.embeddingModel,
    dtype: config.embeddingDtype,
    localModelPath: config.modelsDir,
    cacheDir: env.cacheDir ?? undefined,
    allowRemoteModels: config.allowRemoteModels,
  };

  const started = Date.now();
  const extractor = await loadPipeline(transformers.pipeline, lookup, log);
  const embedder = new PipelineEmbedder(extractor, lookup, config.embeddingBatchSize, 0);
  const [probe] = await embedder.embed([dimensionProbe]);
  embedder.setDims(probe?.length ?? 0);
  log.info({ model: lookup.modelId, dtype: lookup.dtype, dims: embedder.dims, ms: Date.now() - started }, 'embedding model loaded');
  return embedder;
}

/** Loads the pipeline, retrying transient download failures a bounded number of times. */
async function loadPipeline(
  pipeline: typeof import('@huggingface/transformers').pipeline,
  lookup: ModelLookup,
  log: Logger,
): Promise<FeatureExtractionPipeline> {
  const attempts = lookup.allowRemoteModels ? maxLoadAttempts : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return (await pipeline('feature-extraction', lookup.modelId, { dtype: lookup.dtype as 'q8' })) as FeatureExtractionPipeline;
    } catch (error) {
      lastError = error;
      if (!isTransientLoadError(error) || attempt === attempts) break;
      const delayMs = 1000 * 2 ** (attempt - 1);
      log.warn({ err: error, model: lookup.modelId, attempt, delayMs }, 'embedding model download failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  throw new EmbeddingModelError(lookup, lastError);
}

/** Network failures and timeouts are worth retrying; missing files and bad models are not. */
function isTransientLoadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  return /fetch failed|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up/i.test(error.message);
}

/** `fetch` with a time limit per request, for model downloads. */
function fetchWithTimeout(input: string | URL, init?: RequestInit): Promise<Response> {
  const timeout = AbortSignal.timeout(downloadRequestTimeoutMs);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(input, { ...init, signal });
}

/** Creates `dir` if needed and checks that this process can write to it. */
function checkWritable(dir: string | null | undefined): void {
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new ModelCacheDirError(dir, error);
  }
}

function withTrailingSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** Embedder over a loaded feature-extraction pipeline. */
class PipelineEmbedder implements Embedder {
  readonly modelId: string;
  readonly dtype: string;
  dims: number;

  constructor(
    private readonly extractor: FeatureExtractionPipeline,
    lookup: ModelLookup,
    private readonly batchSize: number,
    dims: number,
  ) {
    this.modelId = lookup.modelId;
    this.dtype = lookup.dtype;
    this.dims = dims;
  }

  setDims(dims: number): void {
    this.dims = dims;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      signal?.throwIfAborted();
      const batch = texts.slice(start, start + this.batchSize);
      vectors.push(...(await this.embedBatch(batch)));
    }
    return vectors;
  }

  countTokens(text: string): number {
    return this.extractor.tokenizer.encode(text, { add_special_tokens: false }).length;
  }

  async close(): Promise<void> {
    await this.extractor.dispose();
  }

  /** Embeds one batch and copies each row out, so the tensor's memory can be released at once. */
  private async embedBatch(batch: string[]): Promise<Float32Array[]> {
    const output = await this.extractor(batch, { pooling: 'mean', normalize: true });
    try {
      const [rows, dims] = output.dims;
      if (output.dims.length !== 2 || rows !== batch.length || dims === undefined || (this.dims > 0 && dims !== this.dims)) {
        throw new EmbeddingShapeError(this.modelId, output.dims, batch.length);
      }
      const data = output.data as Float32Array;
      const vectors: Float32Array[] = [];
      for (let row = 0; row < rows; row++) vectors.push(data.slice(row * dims, (row + 1) * dims));
      return vectors;
    } finally {
      output.dispose();
    }
  }
}
