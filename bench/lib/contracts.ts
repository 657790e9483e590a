// Inputs and results of the child processes, shared by each child and the
// section that starts it. Times are in milliseconds and sizes in MB.
import type { BenchDtype } from './options.js';
import type { RagbotSetup } from './ragbot.js';
import type { Summary } from './stats.js';

/** Input of `ingest-ragbot.ts` and `ingest-langchain.ts`. */
export interface IngestInput extends RagbotSetup {
  /** JSON file of chunk texts: written by the ragbot child, read by the LangChain child. */
  chunksFile: string;
  /** Questions for the dense query figures, each asked `queryRepeats` times. */
  questions: string[];
  queryRepeats: number;
  k: number;
}

/** Result of one ingest child. */
export interface IngestResult {
  impl: 'ragbot' | 'langchain';
  dtype: BenchDtype;
  chunks: number;
  /** Time to load the model and embed one text, not part of `ingestMs`. */
  modelLoadMs: number;
  /** Time to embed and index every chunk (for ragbot also reading and chunking the files). */
  ingestMs: number;
  chunksPerSecond: number;
  /** Embed, dense search and document lookup of one question, with no embedding cache. */
  query: Summary;
  peakRssMB: number;
  peakRssMethod: string;
  /** Implementation-specific figures, such as ragbot's ingest report. */
  details: Record<string, unknown>;
}
