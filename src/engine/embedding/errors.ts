// Failures of loading the embedding model, with what is needed to fix them.

/** Where transformers.js looked for a model, as reported in load errors. */
export interface ModelLookup {
  modelId: string;
  dtype: string;
  /** Local model folder (`MODELS_DIR`), searched before any download. */
  localModelPath: string | undefined;
  /** Download cache folder (`MODELS_CACHE_DIR`). */
  cacheDir: string | undefined;
  allowRemoteModels: boolean;
}

/** Thrown when the embedding model cannot be loaded from any of the places it was looked up. */
export class EmbeddingModelError extends Error {
  override readonly name = 'EmbeddingModelError';

  constructor(
    readonly lookup: ModelLookup,
    cause: unknown,
  ) {
    super(describeLoadFailure(lookup, cause), { cause });
  }
}

/** Thrown when the model cache folder cannot be created or written. */
export class ModelCacheDirError extends Error {
  override readonly name = 'ModelCacheDirError';

  constructor(
    readonly cacheDir: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`The model cache folder ${cacheDir} is not writable (${reason}). Set MODELS_CACHE_DIR to a folder this process can write, e.g. /tmp/models-cache.`, { cause });
  }
}

/** Thrown by `embed` when the model returns vectors of an unexpected shape. */
export class EmbeddingShapeError extends Error {
  override readonly name = 'EmbeddingShapeError';

  constructor(
    readonly modelId: string,
    readonly dims: readonly number[],
    readonly expectedRows: number,
  ) {
    super(`Embedding model "${modelId}" returned a tensor of shape [${dims.join(', ')}] for ${expectedRows} texts; expected [${expectedRows}, dims]. Check that EMBEDDING_MODEL is a sentence-embedding (feature-extraction) model.`);
  }
}

function describeLoadFailure(lookup: ModelLookup, cause: unknown): string {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const local = lookup.localModelPath ? `local folder ${lookup.localModelPath}/${lookup.modelId} (MODELS_DIR)` : 'no local folder (MODELS_DIR is unset)';
  const cache = lookup.cacheDir ? `cache folder ${lookup.cacheDir} (MODELS_CACHE_DIR)` : 'the default cache folder (MODELS_CACHE_DIR is unset)';
  const remote = lookup.allowRemoteModels ? 'remote downloads were allowed' : 'remote downloads are disabled (ALLOW_REMOTE_MODELS=false)';
  const fix = lookup.allowRemoteModels
    ? 'Check the model id in EMBEDDING_MODEL and the network, or place the model files in the local folder.'
    : `Place the model files (config.json, tokenizer.json, onnx/${onnxFileName(lookup.dtype)}) under MODELS_DIR/${lookup.modelId}/, or set ALLOW_REMOTE_MODELS=true to download it.`;
  return `Could not load embedding model "${lookup.modelId}" with dtype ${lookup.dtype}: ${reason}. Looked in ${local} and ${cache}; ${remote}. ${fix}`;
}

/** File-name suffixes that transformers.js 4.x uses for each dtype's ONNX weights. */
const dtypeSuffixes: Record<string, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', int8: '_int8', uint8: '_uint8', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4' };

/** Returns the ONNX file name that transformers.js loads for `dtype`, e.g. `model_quantized.onnx` for q8. */
export function onnxFileName(dtype: string): string {
  return `model${dtypeSuffixes[dtype] ?? `_${dtype}`}.onnx`;
}
