// Command-line options of `npm run bench`, and where the model, corpus and
// questions are found: a flag wins over an environment variable, which wins
// over the default beside the repository (`../shared/...`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/config.js';

/** Benchmark sections, in the order they run. */
export const sectionNames = ['ingest', 'query', 'scale', 'memory', 'load', 'discord'] as const;

/** One of `sectionNames`. */
export type SectionName = (typeof sectionNames)[number];

/** Embedding dtypes the benchmark compares. */
export type BenchDtype = 'fp32' | 'q8';

/** Validated options of one benchmark run. */
export interface BenchOptions {
  quick: boolean;
  /** Folder that contains the model folder, as `MODELS_DIR` expects. */
  modelsDir: string;
  /** Model folder name inside `modelsDir`. */
  model: string;
  corpusDir: string;
  questionsFile: string;
  dtypes: BenchDtype[];
  sections: SectionName[];
  outFile: string;
  /** Stand-in language model: delay before the first token and tokens per second after it. */
  firstTokenMs: number;
  tokensPerSecond: number;
  /** Chunks in the synthetic index of the `scale` section. */
  syntheticChunks: number;
  /** Also write the figures into docs/benchmark.md and README.md. */
  writeDocs: boolean;
  verbose: boolean;
}

/** Thrown for an invalid flag value; the message names the flag and the fix. */
export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';
}

/** Help text of `npm run bench -- --help`. */
export const helpText = `Usage: npm run bench -- [options]

Measures ingest, query latency, memory, cache hit rate, Discord edit pacing and
load, and runs LangChain.js on the same chunks for comparison.

Options:
  --quick                  fewer repeats, a 300-question replay and no HNSW build, for a shorter run
  --models-dir DIR         folder containing the model folder (env BENCH_MODELS_DIR, default ../shared/models)
  --model NAME             model folder inside --models-dir (env BENCH_MODEL, default minilm-l6-shaped)
  --corpus DIR             documents to ingest (env BENCH_CORPUS, default ../shared/corpus/hf-hub-docs)
  --questions FILE         JSON Lines file with a "question" field per line (env BENCH_QUESTIONS, default ../shared/eval/questions.jsonl)
  --dtypes LIST            dtypes to ingest and compare with LangChain.js, comma-separated from fp32,q8
                           (default q8; fp32 adds two whole-corpus ingests, several minutes on 2 cores);
                           the query section times the question embedding in both dtypes either way
  --only LIST              sections to run, comma-separated from ${sectionNames.join(',')} (default all)
  --out FILE               JSON results file (default bench-results.json in the repository root)
  --first-token-ms N       stand-in model's delay before its first token, in ms (default 300)
  --tokens-per-second N    stand-in model's token rate after the first token (default 50)
  --synthetic-chunks N     chunks in the synthetic large index (default 100000)
  --write-docs             also write the figures into docs/benchmark.md and README.md
  --verbose                pass the children's stderr output through
  --help                   print this help
`;

/** Parses `argv` (without node and the script) and the environment into `BenchOptions`. */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'models-dir': { type: 'string' },
      model: { type: 'string' },
      corpus: { type: 'string' },
      questions: { type: 'string' },
      dtypes: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'first-token-ms': { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'synthetic-chunks': { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';

  const shared = path.resolve(packageRoot, '..', 'shared');
  const quick = values.quick ?? false;
  const options: BenchOptions = {
    quick,
    modelsDir: path.resolve(values['models-dir'] ?? env.BENCH_MODELS_DIR ?? path.join(shared, 'models')),
    model: values.model ?? env.BENCH_MODEL ?? 'minilm-l6-shaped',
    corpusDir: path.resolve(values.corpus ?? env.BENCH_CORPUS ?? path.join(shared, 'corpus', 'hf-hub-docs')),
    questionsFile: path.resolve(values.questions ?? env.BENCH_QUESTIONS ?? path.join(shared, 'eval', 'questions.jsonl')),
    dtypes: parseList('--dtypes', values.dtypes ?? 'q8', ['fp32', 'q8'] as const),
    sections: parseList('--only', values.only ?? sectionNames.join(','), sectionNames),
    outFile: path.resolve(values.out ?? path.join(packageRoot, 'bench-results.json')),
    firstTokenMs: parseWhole('--first-token-ms', values['first-token-ms'], 300, 0),
    tokensPerSecond: parseWhole('--tokens-per-second', values['tokens-per-second'], 50, 1),
    syntheticChunks: parseWhole('--synthetic-chunks', values['synthetic-chunks'], 100_000, 1000),
    writeDocs: values['write-docs'] ?? false,
    verbose: values.verbose ?? false,
  };

  checkExists(path.join(options.modelsDir, options.model), '--models-dir/--model', 'a model folder in the transformers.js layout (config.json, tokenizer.json, onnx/)');
  checkExists(options.corpusDir, '--corpus', 'a folder of Markdown documents');
  checkExists(options.questionsFile, '--questions', 'a JSON Lines file of questions');
  return options;
}

/** Splits a comma-separated flag value and checks every item against `allowed`. */
function parseList<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  const invalid = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || invalid.length > 0) {
    throw new BenchOptionError(`Expected \`${flag}\` to be a comma-separated list from ${allowed.join(', ')}, got "${value}".`);
  }
  return [...new Set(items)] as T[];
}

/** Parses a whole-number flag from `min` and up, or returns `fallback` when it is unset. */
function parseWhole(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min) {
    throw new BenchOptionError(`Expected \`${flag}\` to be a whole number from ${min} and up, got "${value}".`);
  }
  return parsed;
}

/** Throws a `BenchOptionError` naming the flag when `target` does not exist. */
function checkExists(target: string, flag: string, what: string): void {
  if (!existsSync(target)) {
    throw new BenchOptionError(`${target} was not found. Point \`${flag}\` (or its BENCH_* variable) at ${what}.`);
  }
}
