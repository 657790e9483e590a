// Fakes of the components that `startService` wires together, for in-process
// tests of the serve orchestration. Each fake records its calls, and the slow
// steps wait on gates that a test opens when it is ready.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { AdapterState, HttpRoute, PlatformAdapter } from '../../src/bots/adapter.js';
import type { AnswerEvent, AskRequest, EngineStats, IndexInfo, SearchResult } from '../../src/engine/types.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import type { IngestProgress, ServiceComponents, ServiceEmbedder, ServiceEngine, ServiceKnowledgeBase } from '../../src/service/components.js';

/** A promise that a test resolves by hand. */
export class Gate {
  readonly promise: Promise<void>;
  open!: () => void;

  constructor(openAtStart = false) {
    this.promise = new Promise((resolve) => {
      this.open = resolve;
    });
    if (openAtStart) this.open();
  }
}

/** Creates a logger that writes JSON lines into memory, with readers for the text and the parsed lines. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'debug', destination: stream, pretty: false });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}

/** A fake platform adapter whose connection and in-flight answers the test controls. */
export class FakeAdapter implements PlatformAdapter {
  currentState: AdapterState = 'starting';
  readonly connect = new Gate();
  /** Open by default; a test swaps in a closed gate to hold answers in flight during `stop`. */
  finishAnswers = new Gate(true);
  stopDeadline: number | undefined;
  stopCalledAt: number | undefined;
  startCalls = 0;
  answersInFlight = 0;

  constructor(
    readonly platform: string,
    readonly routes?: HttpRoute[],
    private readonly events: string[] = [],
  ) {}

  async start(): Promise<void> {
    this.startCalls += 1;
    await this.connect.promise;
    this.currentState = 'connected';
  }

  async stop(deadline: number): Promise<void> {
    this.events.push(`${this.platform}.stop`);
    this.stopDeadline = deadline;
    this.stopCalledAt = Date.now();
    await this.finishAnswers.promise;
    this.answersInFlight = 0;
    this.currentState = 'stopped';
  }

  state(): AdapterState {
    return this.currentState;
  }

  inFlight(): number {
    return this.answersInFlight;
  }
}

/** A fake engine that stores sessions as plain JSON so tests can read the saved file. */
export class FakeEngine implements ServiceEngine {
  drained = false;
  sessions: string[] = [];
  restoredFrom: string | undefined;
  savedTo: string | undefined;
  statsValue: EngineStats = { queueLength: 0, inFlight: 0, caches: { answer: { hits: 3, misses: 1, size: 4 } }, sessions: 0 };

  constructor(private readonly events: string[] = []) {}

  async *ask(request: AskRequest): AsyncIterable<AnswerEvent> {
    this.sessions.push(`${request.session.platform}:${request.session.channel}:${request.session.user}`);
    yield { type: 'delta', text: 'ok' };
    yield { type: 'final', answer: 'ok', sources: [], cached: false, end: 'complete', timings: { embedMs: 0, searchMs: 0, firstTokenMs: 0, totalMs: 0 } };
  }

  clearSession(): void {}

  stats(): EngineStats {
    return { ...this.statsValue, sessions: this.sessions.length };
  }

  drain(): void {
    this.events.push('engine.drain');
    this.drained = true;
  }

  async saveSessions(file: string): Promise<number> {
    this.events.push('engine.saveSessions');
    this.savedTo = file;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(this.sessions));
    return this.sessions.length;
  }

  async restoreSessions(file: string): Promise<number> {
    this.restoredFrom = file;
    try {
      this.sessions = JSON.parse(await readFile(file, 'utf8')) as string[];
    } catch {
      this.sessions = [];
    }
    return this.sessions.length;
  }
}

/** Everything a test can inspect or steer about the fake components. */
export interface FakeWorld {
  components: ServiceComponents;
  events: string[];
  embedderGate: Gate;
  /** Read at each ingest call, so a test can swap in a closed gate after start-up. */
  ingestGate: Gate;
  indexOnDisk: boolean;
  indexVersion: number;
  ingestCalls: Array<{ folder: string; signal?: AbortSignal }>;
  engine: FakeEngine;
  adapters: Record<string, FakeAdapter>;
  knowledgeBaseClosed: boolean;
  openError: Error | undefined;
  /** Clears `openError` after the first failed open, as a rebuilt index would. */
  openErrorOnce: boolean;
  adapterErrors: Record<string, Error>;
}

/** Builds fake components; gates start open unless `closedGates` lists them. */
export function fakeWorld(options: { indexOnDisk?: boolean; closedGates?: Array<'embedder' | 'ingest'>; slackRoutes?: HttpRoute[] } = {}): FakeWorld {
  const events: string[] = [];
  const closed = new Set(options.closedGates ?? []);
  const world: FakeWorld = {
    events,
    embedderGate: new Gate(!closed.has('embedder')),
    ingestGate: new Gate(!closed.has('ingest')),
    indexOnDisk: options.indexOnDisk ?? true,
    indexVersion: 1,
    ingestCalls: [],
    engine: new FakeEngine(events),
    adapters: {},
    knowledgeBaseClosed: false,
    openError: undefined,
    openErrorOnce: false,
    adapterErrors: {},
    components: undefined as unknown as ServiceComponents,
  };
  const embedder: ServiceEmbedder = { modelId: 'fake-model', dims: 8, dtype: 'fp32' };

  const knowledgeBase = (): ServiceKnowledgeBase => ({
    embedder,
    info: (): IndexInfo => ({ version: `v${world.indexVersion}`, chunks: 10 * world.indexVersion, builtAt: '2024-01-01T00:00:00.000Z', model: 'fake-model', dims: 8, dtype: 'fp32' }),
    search: async (): Promise<SearchResult> => ({ hits: [], timings: { embedMs: 0, searchMs: 0 } }),
    reload: async () => {
      events.push('kb.reload');
    },
    close: async () => {
      events.push('kb.close');
      world.knowledgeBaseClosed = true;
    },
  });

  const adapter = (platform: string, routes?: HttpRoute[]) => {
    const error = world.adapterErrors[platform];
    if (error) throw error;
    const created = new FakeAdapter(platform, routes, events);
    world.adapters[platform] = created;
    return created;
  };

  world.components = {
    createEmbedder: async () => {
      await world.embedderGate.promise;
      return embedder;
    },
    hasIndex: () => world.indexOnDisk,
    ingestFolder: async ({ folder, onProgress, signal }) => {
      world.ingestCalls.push({ folder, signal });
      const progress: IngestProgress = { files: 1, totalFiles: 3, chunks: 5, chunksPerSecond: 50, phase: 'embed' };
      onProgress?.(progress);
      await Promise.race([world.ingestGate.promise, abortPromise(signal)]);
      world.indexOnDisk = true;
      world.indexVersion += 1;
      return { files: 3, chunks: 15, version: `v${world.indexVersion}`, ms: 5 };
    },
    openKnowledgeBase: async () => {
      const error = world.openError;
      if (error) {
        if (world.openErrorOnce) world.openError = undefined;
        throw error;
      }
      return knowledgeBase();
    },
    createAnswerEngine: () => world.engine,
    createDiscordAdapter: () => adapter('discord'),
    createSlackAdapter: () => adapter('slack', options.slackRoutes),
  };
  return world;
}

function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(new Error('ingest aborted')), { once: true });
  });
}
