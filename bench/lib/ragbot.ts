// Configuration of ragbot for benchmark runs: built from an explicit set of
// variables instead of the environment or `.env`, so that a developer's own
// settings cannot change the figures.
import { loadConfig, type Config } from '../../src/config.js';
import type { BenchDtype } from './options.js';

/** What every benchmark child needs to configure ragbot. */
export interface RagbotSetup {
  modelsDir: string;
  model: string;
  dtype: BenchDtype;
  corpusDir: string;
  /** Folder for the index and other state; each child gets its own. */
  dataDir: string;
}

/** Builds the ragbot configuration of a benchmark run; `overrides` are extra variables such as `EMBEDDING_CACHE_MAX`. */
export function benchConfig(setup: RagbotSetup, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: setup.dataDir,
    KNOWLEDGE_DIR: setup.corpusDir,
    MODELS_DIR: setup.modelsDir,
    EMBEDDING_MODEL: setup.model,
    EMBEDDING_DTYPE: setup.dtype,
    ALLOW_REMOTE_MODELS: 'false',
    ...overrides,
  });
}
