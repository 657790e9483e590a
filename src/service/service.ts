// `ragbot serve` as a library: listen first, then load the model, ingest when
// needed, open the index, start the engine and the platforms; stop in the
// reverse order, letting answers in flight finish and saving sessions.
import path from 'node:path';
import type { HttpRoute, PlatformAdapter } from '../bots/adapter.js';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { adminRoutes } from './admin.js';
import type { ServiceComponents, ServiceKnowledgeBase } from './components.js';
import { healthRoute, metricsRoute, readinessRoute } from './endpoints.js';
import { createHttpServer, sendJson, type HttpServer } from './http-server.js';
import { enabledPlatforms, platformHint, type PlatformName } from './platforms.js';
import { Reingester } from './reingest.js';
import { ServiceStatus } from './status.js';

/** File in the data folder where sessions are saved at shutdown and restored at start. */
export const sessionsFileName = 'sessions.json.gz';

/** Options of `startService`. */
export interface ServiceOptions {
  config: Config;
  logger: Logger;
  components: ServiceComponents;
  /** Metrics registry; a fresh one by default. */
  metrics?: Metrics;
}

/** A running service. */
export interface Service {
  /** Port the HTTP server is bound to (the real one when PORT is 0). */
  readonly port: number;
  readonly status: ServiceStatus;
  readonly metrics: Metrics;
  /** Settles when start-up ends: resolves once ready to answer, rejects when start-up failed. */
  readonly started: Promise<void>;
  /** Shuts down gracefully; safe to call more than once (later calls return the same promise). */
  stop(): Promise<void>;
}

/** Error raised when start-up is cut short by `stop()`. */
export class StartupCancelledError extends Error {
  override readonly name = 'StartupCancelledError';

  constructor() {
    super('Start-up was cancelled because the service is stopping.');
  }
}

/**
 * Starts the HTTP server and resolves as soon as it listens. The rest of the
 * start-up runs in the background, and `started` and `/readyz` report on it.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { config, components } = options;
  const logger = options.logger.child({ component: 'serve' });
  const metrics = options.metrics ?? new Metrics();
  const status = new ServiceStatus();
  const reingester = new Reingester({ config, logger: options.logger, components, status });
  const startupAbort = new AbortController();

  // 1. HTTP first, so that a platform probe of /healthz succeeds during a long start-up.
  const http = createHttpServer({ logger: options.logger });
  http.mount([healthRoute(), readinessRoute(status), metricsRoute(metrics, status)]);
  http.mount(adminRoutes({ adminToken: config.adminToken, startReingest: () => reingester.start() }));
  const platforms = enabledPlatforms(config);
  status.configuredPlatforms.push(...platforms);
  if (platforms.includes('slack')) http.mount(slackPlaceholderRoutes());

  const port = await http.listen(config.port, config.host ?? '0.0.0.0');
  logger.info({ port, host: config.host }, `HTTP server listening on ${config.host}:${port}`);
  logger.info({ platforms }, platformHint(platforms));

  // 2. Everything else in the background.
  const started = startComponents({ ...options, rootLogger: options.logger, logger, metrics, status, http, platforms, signal: startupAbort.signal }).catch(
    (error: unknown) => {
      // Whatever a step threw when it was cut short, the cause is the shutdown.
      throw startupAbort.signal.aborted ? new StartupCancelledError() : error;
    },
  );
  started.catch((error: unknown) => {
    if (error instanceof StartupCancelledError) {
      logger.info({ phase: status.phase }, 'Start-up cancelled by the shutdown');
      return;
    }
    status.phase = 'failed';
    status.failure = error instanceof Error ? error.message : String(error);
    logger.error({ err: error }, 'Start-up failed');
  });

  let stopping: Promise<void> | undefined;
  return {
    port,
    status,
    metrics,
    started,
    stop() {
      stopping ??= stopService({ config, logger, status, http, reingester, startupAbort, started });
      return stopping;
    },
  };
}

interface StartContext extends ServiceOptions {
  /** Logger handed to the components, which add their own component name. */
  rootLogger: Logger;
  metrics: Metrics;
  status: ServiceStatus;
  http: HttpServer;
  platforms: PlatformName[];
  signal: AbortSignal;
}

/** Loads the model and index, starts the engine, restores sessions and starts the platforms. */
async function startComponents(context: StartContext): Promise<void> {
  const { config, logger, components, status, signal } = context;
  const checkpoint = () => {
    if (signal.aborted) throw new StartupCancelledError();
  };

  // Model, then the start-up ingest, then the index: the model is loaded once and shared.
  status.phase = 'loading_model';
  status.embedder = await components.createEmbedder(config, context.rootLogger);
  logger.info({ model: status.embedder.modelId, dims: status.embedder.dims, dtype: status.embedder.dtype }, 'Embedding model loaded');
  checkpoint();

  if (shouldIngest(config, components.hasIndex(config.dataDir))) {
    await ingestAtStart(context);
    checkpoint();
  }

  status.phase = 'loading_index';
  status.knowledgeBase = await openIndex(context);
  const info = status.knowledgeBase.info();
  logger.info({ chunks: info.chunks, version: info.version, builtAt: info.builtAt }, 'Index loaded');
  checkpoint();

  // Engine and saved sessions.
  status.engine = components.createAnswerEngine({ config, logger: context.rootLogger, retriever: status.knowledgeBase, metrics: context.metrics });
  const sessionsFile = path.join(config.dataDir, sessionsFileName);
  const restored = await status.engine.restoreSessions(sessionsFile);
  logger.info({ restored, file: sessionsFile }, `Restored ${restored} saved sessions`);
  checkpoint();

  // Platforms connect in the background; /readyz reports each one's state.
  status.phase = 'starting_platforms';
  for (const platform of context.platforms) {
    const adapter = await createAdapter(context, platform);
    if (adapter) startAdapter(adapter, logger);
  }
  checkpoint();
  status.phase = 'ready';
  logger.info('Service started; answering questions');
}

/** Errors of `openKnowledgeBase` that a fresh ingest of the knowledge folder repairs. */
const rebuildableIndexErrors = new Set(['IndexMismatchError', 'IndexCorruptError']);

/** Opens the index; an index built with another model or left unreadable is rebuilt once from KNOWLEDGE_DIR. */
async function openIndex(context: StartContext): Promise<ServiceKnowledgeBase> {
  const { config, components, status } = context;
  const open = () => components.openKnowledgeBase({ config, logger: context.rootLogger, embedder: status.embedder });
  try {
    return await open();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (!rebuildableIndexErrors.has(name) || config.ingestOnStart === 'never') throw error;

    context.logger.warn({ err: error, folder: config.knowledgeDir }, 'The index cannot be used with this configuration; rebuilding it from the knowledge folder');
    await ingestAtStart(context);
    if (context.signal.aborted) throw new StartupCancelledError();
    status.phase = 'loading_index';
    return await open();
  }
}

function shouldIngest(config: Config, indexExists: boolean): boolean {
  if (config.ingestOnStart === 'always') return true;
  if (config.ingestOnStart === 'never') return false;
  return !indexExists;
}

async function ingestAtStart(context: StartContext): Promise<void> {
  const { config, logger, components, status } = context;
  status.phase = 'ingesting';
  logger.info({ folder: config.knowledgeDir, dataDir: config.dataDir }, 'Ingesting the knowledge folder before start');

  const report = await components.ingestFolder({
    config,
    logger: context.rootLogger,
    folder: config.knowledgeDir,
    embedder: status.embedder,
    onProgress: (progress) => {
      status.ingestProgress = progress;
    },
    signal: context.signal,
  });
  status.ingestProgress = undefined;
  logger.info({ files: report.files, chunks: report.chunks, version: report.version, ms: report.ms }, 'Start-up ingest finished');
}

/** Creates one platform adapter and mounts its routes; a failure disables only that platform. */
async function createAdapter(context: StartContext, platform: PlatformName): Promise<PlatformAdapter | undefined> {
  const { config, components, status, metrics } = context;
  const factory = platform === 'discord' ? components.createDiscordAdapter : components.createSlackAdapter;
  try {
    const adapter = await factory({ config, logger: context.rootLogger, engine: status.engine!, metrics });
    status.adapters.push(adapter);
    if (adapter.routes) context.http.mount(adapter.routes);
    return adapter;
  } catch (error) {
    status.failedPlatforms.add(platform);
    context.logger.error({ err: error, platform }, `Could not create the ${platform} adapter; ${platform} stays off`);
    return undefined;
  }
}

function startAdapter(adapter: PlatformAdapter, logger: Logger): void {
  const started = Date.now();
  adapter.start().then(
    () => logger.info({ platform: adapter.platform, ms: Date.now() - started }, `${adapter.platform} connected`),
    (error: unknown) => logger.error({ err: error, platform: adapter.platform }, `${adapter.platform} failed to connect; check its token and settings`),
  );
}

/** Until the Slack adapter exists, its events get 503 so that Slack retries them later. */
function slackPlaceholderRoutes(): HttpRoute[] {
  return [
    {
      method: 'POST',
      path: '/slack/events',
      handle(request, response) {
        request.resume();
        sendJson(response, 503, { error: 'Slack is starting; Slack retries this event.' }, { 'retry-after': '10' });
      },
    },
  ];
}

interface StopContext {
  config: Config;
  logger: Logger;
  status: ServiceStatus;
  http: HttpServer;
  reingester: Reingester;
  startupAbort: AbortController;
  started: Promise<void>;
}

/** Drains, stops the platforms within the grace period, saves sessions and closes everything. */
async function stopService(context: StopContext): Promise<void> {
  const { config, logger, status } = context;
  const deadline = Date.now() + config.shutdownGraceMs;
  logger.info({ graceMs: config.shutdownGraceMs }, 'Shutting down: no new questions, finishing answers in flight');
  status.phase = 'stopping';

  // Cut the start-up short and wait for the step in progress to end, but no
  // longer than the grace period: loading a model cannot be interrupted.
  context.startupAbort.abort();
  const startupEnded = await settlesBefore(context.started, deadline);
  if (!startupEnded) logger.warn('Start-up step still running at the shutdown deadline; closing without it');
  await context.reingester.stop();

  // Answers in flight get until the deadline; the adapters end the rest with a note.
  status.engine?.drain();
  const stops = await Promise.allSettled(status.adapters.map((adapter) => adapter.stop(deadline)));
  stops.forEach((result, i) => {
    if (result.status === 'rejected') logger.error({ err: result.reason, platform: status.adapters[i]?.platform }, 'Platform did not stop cleanly');
  });

  await saveSessions(context);
  try {
    // The service created the embedder, so the knowledge base leaves closing it to the service.
    await status.knowledgeBase?.close();
    await status.embedder?.close?.();
  } catch (error) {
    logger.error({ err: error }, 'Closing the knowledge base failed');
  }
  await context.http.close();
  logger.info('Shutdown complete');
}

/** Waits for `promise` to settle or for `deadline` (epoch ms); returns true when it settled in time. */
async function settlesBefore(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function saveSessions(context: StopContext): Promise<void> {
  const { config, logger, status } = context;
  if (status.engine === undefined) return;
  const file = path.join(config.dataDir, sessionsFileName);
  try {
    const saved = await status.engine.saveSessions(file);
    logger.info({ saved, file }, `Saved ${saved} sessions`);
  } catch (error) {
    logger.error({ err: error, file }, 'Saving sessions failed; conversations restart after this restart');
  }
}
