// SIGTERM and SIGINT handling: the first signal starts a graceful shutdown,
// a second one (or a shutdown that hangs) ends the process at once.
import type { Logger } from '../observability/logger.js';

/** Options of `handleShutdownSignals`. */
export interface ShutdownSignalOptions {
  logger: Logger;
  /** The graceful shutdown; resolves when everything is closed. */
  stop(): Promise<void>;
  /** Milliseconds after the first signal before the process is ended even if `stop` has not finished. */
  forceAfterMs: number;
  /** Ends the process; `process.exit` by default. */
  exit?: (code: number) => void;
  /** Signal source; `process` by default. */
  emitter?: NodeJS.EventEmitter;
}

const signalExitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Installs the handlers and returns a function that removes them. */
export function handleShutdownSignals(options: ShutdownSignalOptions): () => void {
  const emitter = options.emitter ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const logger = options.logger.child({ component: 'signals' });
  let shuttingDown = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, `Received ${signal} again; exiting now without finishing the shutdown`);
      exit(signalExitCodes[signal] ?? 1);
      return;
    }
    shuttingDown = true;
    logger.info({ signal }, `Received ${signal}; shutting down gracefully (send it again to exit at once)`);

    const forceTimer = setTimeout(() => {
      logger.error({ forceAfterMs: options.forceAfterMs }, 'Shutdown did not finish in time; exiting now');
      exit(1);
    }, options.forceAfterMs);
    forceTimer.unref();

    options.stop().then(
      () => {
        clearTimeout(forceTimer);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(forceTimer);
        logger.error({ err: error }, 'Shutdown failed');
        exit(1);
      },
    );
  };

  emitter.on('SIGTERM', onSignal);
  emitter.on('SIGINT', onSignal);
  return () => {
    emitter.off('SIGTERM', onSignal);
    emitter.off('SIGINT', onSignal);
  };
}
