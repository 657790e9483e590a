// On-demand re-ingest while the service keeps answering from the old index:
// ingest the knowledge folder (the index write is atomic), then reload.
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { ReingestStart } from './admin.js';
import type { ServiceComponents } from './components.js';
import type { ServiceStatus } from './status.js';

/** Runs one re-ingest at a time and records its state in `status.reingest`. */
export class Reingester {
  private running: Promise<void> | undefined;
  private readonly controller = new AbortController();
  private readonly logger: Logger;

  constructor(
    private readonly options: { config: Config; logger: Logger; components: ServiceComponents; status: ServiceStatus },
  ) {
    this.logger = options.logger.child({ component: 'reingest' });
  }

  /** Starts a re-ingest in the background unless one is running or the index is not loaded. */
  start(): ReingestStart {
    const { status } = this.options;
    if (this.running !== undefined) return { started: false, status: 409, reason: 'A re-ingest is already running; GET /readyz shows its progress.' };
    if (status.phase !== 'ready' || status.knowledgeBase === undefined) {
      return { started: false, status: 503, reason: `The service is not ready (phase ${status.phase}); try again when GET /readyz returns 200.` };
    }

    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return { started: true };
  }

  /** Cancels a running re-ingest and waits for it to end; the previous index stays in use. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { config, components, status } = this.options;
    const state = status.reingest;
    state.running = true;
    state.startedAt = new Date().toISOString();
    delete state.finishedAt;
    delete state.progress;
    this.logger.info({ folder: config.knowledgeDir }, 'Re-ingest started');

    try {
      const report = await components.ingestFolder({
        config,
        logger: this.options.logger,
        folder: config.knowledgeDir,
        embedder: status.embedder,
        onProgress: (progress) => {
          state.progress = progress;
        },
        signal: this.controller.signal,
      });
      await status.knowledgeBase?.reload();
      state.lastReport = { files: report.files, chunks: report.chunks, version: report.version, ms: report.ms };
      delete state.lastError;
      this.logger.info({ files: report.files, chunks: report.chunks, version: report.version, ms: report.ms }, 'Re-ingest finished and index reloaded');
    } catch (error) {
      state.lastError = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error, folder: config.knowledgeDir }, 'Re-ingest failed; the previous index stays in use');
    } finally {
      state.running = false;
      state.finishedAt = new Date().toISOString();
    }
  }
}
