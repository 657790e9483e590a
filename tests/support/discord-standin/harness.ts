// Starts a Discord stand-in and a ragbot Discord adapter connected to it,
// with a captured log, for the adapter tests.
import { Writable } from 'node:stream';
import type { PlatformAdapter } from '../../../src/bots/adapter.js';
import { createDiscordAdapter } from '../../../src/bots/discord/index.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { DiscordStandin, type DiscordStandinOptions } from './index.js';
import type { ScriptedEngine } from './scripted-engine.js';

/** A log line as pino writes it. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A stand-in with a started adapter. */
export interface DiscordHarness {
  standin: DiscordStandin;
  adapter: PlatformAdapter;
  engine: ScriptedEngine;
  config: Config;
  metrics: Metrics;
  logs: LogLine[];
  /** Stops the adapter (if still running) and the stand-in. */
  close(): Promise<void>;
}

/** Options of `startHarness`. */
export interface HarnessOptions {
  engine: ScriptedEngine;
  standin?: DiscordStandinOptions;
  /** Extra environment variables for `loadConfig`. */
  env?: Record<string, string>;
  /** Milliseconds that interrupted answers get to write their note on stop. */
  stopNoteGraceMs?: number;
  /** Whether to start the adapter (default true); false lets a test check how `start()` fails. */
  start?: boolean;
}

/** pino level numbers. */
export const logLevel = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Starts a stand-in and an adapter logged in to it; DISCORD_EDIT_FLOOR_MS defaults to 100. */
export async function startHarness(options: HarnessOptions): Promise<DiscordHarness> {
  const standin = await DiscordStandin.start(options.standin);
  const config = loadConfig({
    DISCORD_TOKEN: standin.token,
    DISCORD_REST_URL: standin.restUrl,
    DISCORD_EDIT_FLOOR_MS: '100',
    DATA_DIR: '/tmp/ragbot-discord-tests',
    ...options.env,
  });

  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination, pretty: false });
  const metrics = new Metrics({ collectProcess: false });

  const adapter = createDiscordAdapter({ config, logger, engine: options.engine, metrics, stopNoteGraceMs: options.stopNoteGraceMs });
  if (options.start ?? true) await adapter.start();

  return {
    standin,
    adapter,
    engine: options.engine,
    config,
    metrics,
    logs,
    async close() {
      if (adapter.state() !== 'stopped' && adapter.state() !== 'failed') await adapter.stop(Date.now());
      await standin.close();
    },
  };
}

/** Sums a prom-client counter's values whose labels match `labels`. */
export async function counterValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (metric === undefined) return 0;
  return (metric.values as Array<{ value: number; labels: Record<string, string | number> }>)
    .filter((value) => Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected))
    .reduce((sum, value) => sum + value.value, 0);
}
