// The `ragbot serve` process: checks the folders, starts the service, and
// turns SIGTERM/SIGINT into a graceful shutdown followed by process exit.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { ConfigError, type Config, type ConfigIssue } from '../config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import type { ServiceComponents } from './components.js';
import { loadComponents } from './load-components.js';
import { startService, StartupCancelledError } from './service.js';
import { handleShutdownSignals } from './signals.js';

/** Extra time after SHUTDOWN_GRACE_MS for saving sessions and closing, before a forced exit. */
const shutdownMarginMs = 15_000;

/**
 * Checks the folders that serve writes to or reads from before anything
 * starts, and throws `ConfigError` naming the variable to change.
 */
export function checkServeFolders(config: Config, indexExists: boolean): void {
  const issues: ConfigIssue[] = [];

  try {
    mkdirSync(config.dataDir, { recursive: true });
    accessSync(config.dataDir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    issues.push({ variable: 'DATA_DIR', problem: `${config.dataDir} is not a writable folder (${code})`, fix: 'Set DATA_DIR to a folder that this user can write, such as /data on a Space with persistent storage or ./data.' });
  }

  const needsKnowledge = config.ingestOnStart === 'always' || (config.ingestOnStart !== 'never' && !indexExists);
  if (needsKnowledge && !(existsSync(config.knowledgeDir) && statSync(config.knowledgeDir).isDirectory())) {
    issues.push({ variable: 'KNOWLEDGE_DIR', problem: `${config.knowledgeDir} is not a folder, and the data folder has no index to serve`, fix: 'Set KNOWLEDGE_DIR to the folder of your documents, or unset it to use the bundled knowledge base.' });
  }

  if (issues.length > 0) throw new ConfigError(issues);
}

/** Options of `runServe`; tests and embedders may replace the defaults. */
export interface RunServeOptions {
  logger?: Logger;
  components?: ServiceComponents;
}

/**
 * Runs the service until a signal ends it. Resolves never in normal use:
 * the signal handler exits the process. Rejects when start-up fails.
 */
export async function runServe(config: Config, options: RunServeOptions = {}): Promise<void> {
  // Logs go to stdout as JSON (pretty on a terminal), where a Space's log viewer reads them.
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const components = options.components ?? (await loadComponents());
  checkServeFolders(config, components.hasIndex(config.dataDir));

  const service = await startService({ config, logger, components });
  const exit = (code: number) => {
    logger.flush(() => process.exit(code));
  };
  handleShutdownSignals({ logger, stop: () => service.stop(), forceAfterMs: config.shutdownGraceMs + shutdownMarginMs, exit });

  try {
    await service.started;
  } catch (error) {
    // A signal during start-up: the signal handler finishes the shutdown and exits.
    if (error instanceof StartupCancelledError) return;
    // Without an index there is nothing to serve: stop and let the supervisor see the failure.
    await service.stop();
    throw error;
  }
}
