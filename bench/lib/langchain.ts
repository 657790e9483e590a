// The LangChain.js side of the comparison: FaissStore over
// HuggingFaceTransformersEmbeddings, configured for the same local model
// folder and dtype as ragbot, with remote downloads off.
import { env } from '@huggingface/transformers';
import { HuggingFaceTransformersEmbeddings } from '@langchain/community/embeddings/huggingface_transformers';
import { FaissStore } from '@langchain/community/vectorstores/faiss';
import type { BenchDtype } from './options.js';

/** Model location and dtype, the same as ragbot's run uses. */
export interface LangChainModelOptions {
  modelsDir: string;
  model: string;
  dtype: BenchDtype;
}

/** Texts per embedding batch, the same as ragbot's default `EMBEDDING_BATCH_SIZE`. */
export const langChainBatchSize = 8;

/**
 * Creates the LangChain embeddings with ragbot's batching: batches of 8,
 * one at a time. LangChain's defaults (batches of 512, all started at once)
 * went past 20 GB RSS on the 2.8 MB benchmark corpus and were killed, so
 * they cannot be measured on a machine with a memory limit.
 */
export function createLangChainEmbeddings(options: LangChainModelOptions): HuggingFaceTransformersEmbeddings {
  // HuggingFaceTransformersEmbeddings imports the same transformers.js module
  // (an npm override pins it), so these `env` settings apply to its pipeline.
  env.localModelPath = options.modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;

  // `pretrainedOptions` goes to `pipeline()` unchanged, which is where
  // transformers.js reads `dtype` (q8 loads onnx/model_quantized.onnx).
  const embeddings = new HuggingFaceTransformersEmbeddings({
    model: options.model,
    pretrainedOptions: { dtype: options.dtype, device: 'cpu' },
    // AsyncCaller option: without it every batch runs at the same time.
    maxConcurrency: 1,
  });
  // The constructor of @langchain/community 1.1 ignores a `batchSize` field, so set the property.
  embeddings.batchSize = langChainBatchSize;
  return embeddings;
}

/** Embeds `texts` and stores them in a new FaissStore, as `FaissStore.fromTexts` does. */
export async function buildLangChainStore(embeddings: HuggingFaceTransformersEmbeddings, texts: readonly string[]): Promise<FaissStore> {
  const metadata = texts.map((_, id) => ({ id }));
  return FaissStore.fromTexts([...texts], metadata, embeddings);
}

/** Runs one query the way a LangChain retriever does: embed, search, look the documents up. */
export async function queryLangChainStore(store: FaissStore, question: string, k: number): Promise<number> {
  const results = await store.similaritySearchWithScore(question, k);
  return results.length;
}
