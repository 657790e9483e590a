// Flags shared by `ingest`, `search` and `eval`: where the index is and which
// embedding model reads it. Each flag overrides its environment variable.
import { Option, type Command } from 'commander';

/** Parsed values of the shared index flags. */
export interface IndexFlags {
  dataDir?: string;
  model?: string;
  dtype?: string;
  modelsDir?: string;
  offline?: boolean;
}

/** Adds the shared index flags to a command. */
export function addIndexFlags(command: Command): Command {
  return command
    .addOption(new Option('--data-dir <dir>', 'folder that holds the index (DATA_DIR)'))
    .addOption(new Option('--model <id>', 'embedding model id or local folder name (EMBEDDING_MODEL)'))
    .addOption(new Option('--dtype <dtype>', 'ONNX weight type of the embedding model, e.g. q8 or fp32 (EMBEDDING_DTYPE)'))
    .addOption(new Option('--models-dir <dir>', 'local model folder searched before any download (MODELS_DIR)'))
    .addOption(new Option('--offline', 'never download models (ALLOW_REMOTE_MODELS=false)'));
}

/** Maps the shared flags to the environment variables they override. */
export function indexOverrides(flags: IndexFlags): Record<string, string | undefined> {
  return {
    DATA_DIR: flags.dataDir,
    EMBEDDING_MODEL: flags.model,
    EMBEDDING_DTYPE: flags.dtype,
    MODELS_DIR: flags.modelsDir,
    ALLOW_REMOTE_MODELS: flags.offline ? 'false' : undefined,
  };
}
