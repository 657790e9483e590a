// Shared state of a benchmark run, passed to every section: the options, a
// scratch folder, the questions, the repeat counts of a full or quick run,
// and the indexes built so far.
import type { BenchDtype, BenchOptions } from '../lib/options.js';
import type { RagbotSetup } from '../lib/ragbot.js';
import type { SectionReport } from '../lib/report.js';

/** Repeat counts and sizes of one run; `--quick` lowers them. */
export interface RunSizes {
  /** Repeats of every eval question in the ingest children's query figures. */
  ingestQueryRepeats: number;
  /** Repeats of every eval question in the query section. */
  queryRepeats: number;
  scaleRepeats: number;
  /** Build the HNSW index of the synthetic vectors when no cached copy exists. */
  buildHnsw: boolean;
  replayDraws: number;
  loadQuestions: number;
  discordSequential: number;
  discordConcurrent: number;
}

/** Returns the sizes of a full or a quick run. */
export function runSizes(quick: boolean): RunSizes {
  return {
    ingestQueryRepeats: quick ? 2 : 5,
    queryRepeats: quick ? 3 : 10,
    scaleRepeats: quick ? 1 : 3,
    buildHnsw: !quick,
    replayDraws: quick ? 300 : 1000,
    loadQuestions: 50,
    discordSequential: quick ? 5 : 10,
    discordConcurrent: 20,
  };
}

/** An index built by the ingest section: its ragbot setup and the file of its chunk texts. */
export interface BuiltIndex {
  setup: RagbotSetup;
  chunksFile: string;
}

/** Shared state of one benchmark run. */
export interface BenchContext {
  options: BenchOptions;
  sizes: RunSizes;
  /** Scratch folder, removed at the end of the run. */
  workDir: string;
  /** Folder that keeps expensive derived files (the synthetic HNSW index) between runs. */
  cacheDir: string;
  questions: string[];
  indexes: Map<BenchDtype, BuiltIndex>;
  /** Prints a progress line on stderr. */
  progress(message: string): void;
}

/** Result of a section: its rows for the table and its part of the JSON results. */
export interface SectionOutcome {
  report: SectionReport;
  /** Top-level keys of bench-results.json that this section fills. */
  results: Record<string, unknown>;
}

/** Returns the dtype that the serving sections use: q8 when it was ingested (ragbot's default), else the first one. */
export function servingDtype(context: BenchContext): BenchDtype {
  if (context.indexes.has('q8')) return 'q8';
  const first = context.indexes.keys().next();
  if (first.done) throw new Error('No index was built; the ingest section must succeed first.');
  return first.value;
}

/** Returns the index that the serving sections use. */
export function servingIndex(context: BenchContext): BuiltIndex {
  return context.indexes.get(servingDtype(context)) as BuiltIndex;
}
