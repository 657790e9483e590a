// Start-up phase, loaded components and re-ingest state of the running
// service, and the readiness report built from them for `GET /readyz`.
import type { AdapterState, PlatformAdapter } from '../bots/adapter.js';
import type { EngineStats } from '../engine/types.js';
import type { IngestProgress, IngestSummary, ServiceEmbedder, ServiceEngine, ServiceKnowledgeBase } from './components.js';

/** Life-cycle phase of the service: the start-up steps, then `ready`, then `stopping`. */
export type ServicePhase = 'starting' | 'loading_model' | 'ingesting' | 'loading_index' | 'starting_platforms' | 'ready' | 'stopping' | 'failed';

/** State of the on-demand re-ingest (`POST /admin/reingest`). */
export interface ReingestState {
  running: boolean;
  progress?: IngestProgress;
  startedAt?: string;
  finishedAt?: string;
  lastReport?: IngestSummary;
  lastError?: string;
}

/** Cache figures with the hit rate worked out (hits / lookups, null before the first lookup). */
export interface CacheReport {
  hits: number;
  misses: number;
  size: number;
  hitRate: number | null;
}

/** Body of `GET /readyz`. */
export interface ReadinessReport {
  ready: boolean;
  phase: ServicePhase;
  /** Reason the service is not ready, in words; absent when ready. */
  reason?: string;
  index: { chunks: number; version: string; builtAt: string } | null;
  model: { id: string; dims: number; dtype: string } | null;
  platforms: Record<string, AdapterState>;
  ingest?: IngestProgress;
  reingest: ReingestState;
  queueLength: number;
  inFlight: number;
  sessions: number;
  caches: Record<string, CacheReport>;
  uptimeSeconds: number;
  rssBytes: number;
}

/** Mutable state of one service instance; the orchestration writes it and the endpoints read it. */
export class ServiceStatus {
  phase: ServicePhase = 'starting';
  failure: string | undefined;
  ingestProgress: IngestProgress | undefined;
  embedder: ServiceEmbedder | undefined;
  knowledgeBase: ServiceKnowledgeBase | undefined;
  engine: ServiceEngine | undefined;
  readonly adapters: PlatformAdapter[] = [];
  /** Platforms enabled by the configuration, including those whose adapter is not created yet. */
  readonly configuredPlatforms: string[] = [];
  /** Platforms whose adapter could not be created. */
  readonly failedPlatforms = new Set<string>();
  readonly reingest: ReingestState = { running: false };

  constructor(private readonly startedAt: number = Date.now()) {}

  /** State of each configured platform; `starting` until its adapter exists. */
  platformStates(): Record<string, AdapterState> {
    const states: Record<string, AdapterState> = {};
    for (const platform of this.configuredPlatforms) states[platform] = this.failedPlatforms.has(platform) ? 'failed' : 'starting';
    for (const adapter of this.adapters) states[adapter.platform] = adapter.state();
    return states;
  }

  /** Engine figures, or zeros before the engine exists. */
  engineStats(): EngineStats {
    return this.engine?.stats() ?? { queueLength: 0, inFlight: 0, caches: {}, sessions: 0 };
  }

  /** Builds the readiness report; `ready` needs the index, the model and every configured platform connected. */
  report(now: number = Date.now()): ReadinessReport {
    const platforms = this.platformStates();
    const stats = this.engineStats();
    const info = this.knowledgeBase?.info();
    const reason = this.notReadyReason(platforms);

    const report: ReadinessReport = {
      ready: reason === undefined,
      phase: this.phase,
      index: info ? { chunks: info.chunks, version: info.version, builtAt: info.builtAt } : null,
      model: this.embedder ? { id: this.embedder.modelId, dims: this.embedder.dims, dtype: this.embedder.dtype } : null,
      platforms,
      reingest: { ...this.reingest },
      queueLength: stats.queueLength,
      inFlight: stats.inFlight,
      sessions: stats.sessions,
      caches: cacheReports(stats.caches),
      uptimeSeconds: Math.round((now - this.startedAt) / 1000),
      rssBytes: process.memoryUsage.rss(),
    };
    if (reason !== undefined) report.reason = reason;
    if (this.phase === 'ingesting' && this.ingestProgress) report.ingest = { ...this.ingestProgress };
    return report;
  }

  private notReadyReason(platforms: Record<string, AdapterState>): string | undefined {
    if (this.phase === 'failed') return `Start-up failed: ${this.failure ?? 'see the service log'}`;
    if (this.phase === 'stopping') return 'The service is shutting down.';
    if (this.phase === 'ingesting') return 'Ingesting the knowledge folder because the data folder has no index yet.';
    if (this.knowledgeBase === undefined || this.embedder === undefined) return 'The embedding model and index are loading.';
    if (this.engine === undefined || this.phase !== 'ready') return 'The answering engine and platforms are starting.';

    const waiting = Object.entries(platforms).filter(([, state]) => state !== 'connected');
    if (waiting.length > 0) return `Waiting for platforms: ${waiting.map(([name, state]) => `${name} is ${state}`).join(', ')}.`;
    return undefined;
  }
}

function cacheReports(caches: EngineStats['caches']): Record<string, CacheReport> {
  const result: Record<string, CacheReport> = {};
  for (const [name, cache] of Object.entries(caches)) {
    const lookups = cache.hits + cache.misses;
    result[name] = { ...cache, hitRate: lookups === 0 ? null : cache.hits / lookups };
  }
  return result;
}
