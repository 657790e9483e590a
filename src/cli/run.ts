// Shared plumbing of CLI commands: configuration, logger and error reporting.
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig, readDotenv, type Config } from '../config.js';
import { createLogger, type Logger } from '../observability/logger.js';

/** Context passed to every command action. */
export interface CommandContext {
  config: Config;
  logger: Logger;
}

/** Runs a command action with a validated config; prints errors as one clear message and sets the exit code. */
export type RunCommand = (action: (context: CommandContext) => Promise<void>, overrides?: Record<string, string | undefined>) => Promise<void>;

/** Registers a subcommand on the program. */
export type RegisterCommand = (program: Command, run: RunCommand) => void;

/** Default `RunCommand`: CLI flag overrides win over environment variables. */
export const runCommand: RunCommand = async (action, overrides = {}) => {
  try {
    const env = { ...process.env };
    for (const [name, value] of Object.entries(overrides)) if (value !== undefined) env[name] = value;
    const merged = withDotenv(env);
    const config = loadConfig(merged);
    // Logs go to stderr so that --json output on stdout stays machine-readable.
    // Commands print their own results, so info lines appear only when LOG_LEVEL is info, debug or trace.
    const level = merged.LOG_LEVEL === undefined ? 'warn' : config.logLevel;
    const logger = createLogger({ level, destination: process.stderr, pretty: process.stderr.isTTY === true });
    await action({ config, logger });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    console.error(`ragbot: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
};

/** Fills in variables from `./.env` that the environment does not set. */
function withDotenv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...readDotenv(path.resolve('.env')), ...env };
}
