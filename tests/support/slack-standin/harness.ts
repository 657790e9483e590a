// Wires the real Slack adapter (Bolt over HTTP) to the stand-ins: the Web API
// stand-in as SLACK_API_URL, a route server on 127.0.0.1 for /slack/events,
// a scripted engine, an in-memory logger and fresh metrics.
import { PassThrough } from 'node:stream';
import { createSlackAdapter, type SlackAdapterOptions } from '../../../src/bots/slack/adapter.js';
import type { PlatformAdapter } from '../../../src/bots/adapter.js';
import { loadConfig } from '../../../src/config.js';
import type { AskRequest } from '../../../src/engine/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { ScriptedEngine, type AnswerScript } from './scripted-engine.js';
import { serveRoutes, type RouteServer } from './service.js';
import { SlackStandIn, type SlackStandInOptions } from './web-api.js';

/** Signing secret the harness configures. */
export const testSigningSecret = 'standin-signing-secret';

/** A running adapter with its stand-ins. */
export interface SlackHarness {
  standIn: SlackStandIn;
  adapter: PlatformAdapter;
  engine: ScriptedEngine;
  server: RouteServer;
  metrics: Metrics;
  /** URL of POST /slack/events on the route server. */
  eventsUrl: string;
  /** Parsed log lines so far. */
  logs(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Options of `startSlackHarness`. */
export interface SlackHarnessOptions {
  standIn?: SlackStandInOptions;
  script?: (request: AskRequest) => AnswerScript;
  /** Engine to use instead of a ScriptedEngine built from `script`. */
  engine?: ScriptedEngine;
  adapter?: Partial<Omit<SlackAdapterOptions, 'config' | 'logger' | 'engine'>>;
  env?: Record<string, string>;
}

/** Starts the stand-in, the adapter and the route server. */
export async function startSlackHarness(options: SlackHarnessOptions = {}): Promise<SlackHarness> {
  const standIn = new SlackStandIn(options.standIn);
  await standIn.start();

  const config = loadConfig({
    SLACK_BOT_TOKEN: standIn.token,
    SLACK_SIGNING_SECRET: testSigningSecret,
    SLACK_API_URL: standIn.apiUrl,
    ...options.env,
  });
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'debug', destination: stream, pretty: false });
  const metrics = new Metrics({ collectProcess: false });
  const engine = options.engine ?? new ScriptedEngine(options.script ?? (() => ({ deltas: ['Hello.'] })));

  const adapter = createSlackAdapter({ config, logger, engine, metrics, editIntervalMs: 50, ...options.adapter });
  await adapter.start();
  const server = await serveRoutes(adapter.routes ?? []);

  return {
    standIn,
    adapter,
    engine,
    server,
    metrics,
    eventsUrl: `${server.url}/slack/events`,
    logs: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async close() {
      await adapter.stop(Date.now() + 2000);
      await server.close();
      await standIn.close();
    },
  };
}

/** Resolves when `check` returns true, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves when the adapter has no answer in flight and at least `count` questions were asked. */
export async function waitForAnswers(harness: SlackHarness, count: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(() => harness.engine.asks.length >= count && harness.adapter.inFlight() === 0, timeoutMs, `${count} answers`);
}

