import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { startService, StartupCancelledError, type Service } from '../src/service/service.js';
import type { ReadinessReport } from '../src/service/status.js';
import { fakeWorld, Gate, memoryLogger, type FakeWorld } from './support/serve-fakes.js';

const adminToken = 'test-admin-token-0123456789abcdef';
let dataDir: string;
const running: Service[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ragbot-serve-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
  await rm(dataDir, { recursive: true, force: true });
});

function config(env: Record<string, string> = {}): Config {
  return loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, KNOWLEDGE_DIR: '/docs', SHUTDOWN_GRACE_MS: '2000', ...env });
}

async function start(world: FakeWorld, env: Record<string, string> = {}) {
  const log = memoryLogger();
  const service = await startService({ config: config(env), logger: log.logger, components: world.components });
  running.push(service);
  const base = `http://127.0.0.1:${service.port}`;
  const readyz = async () => {
    const response = await fetch(`${base}/readyz`);
    return { status: response.status, body: (await response.json()) as ReadinessReport };
  };
  return { service, base, log, readyz };
}

/** Polls `check` every 10 ms until it returns true; fails after `timeoutMs` as a liveness guard. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('serve start-up', () => {
  it('answers healthz before the model loads', async () => {
    const world = fakeWorld({ closedGates: ['embedder'] });
    const { base, readyz, service } = await start(world);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const before = await readyz();
    expect(before.status).toBe(503);
    expect(before.body.phase).toBe('loading_model');
    expect(before.body.model).toBeNull();

    world.embedderGate.open();
    await service.started;
    const after = await readyz();
    expect(after.status).toBe(200);
    expect(after.body.index).toEqual({ chunks: 10, version: 'v1', builtAt: '2024-01-01T00:00:00.000Z' });
    expect(after.body.model).toEqual({ id: 'fake-model', dims: 8, dtype: 'fp32' });
  });

  it('ingests first when the data folder has no index', async () => {
    const world = fakeWorld({ indexOnDisk: false, closedGates: ['ingest'] });
    const { readyz, service } = await start(world);

    await until(() => world.ingestCalls.length === 1);
    const during = await readyz();
    expect(during.status).toBe(503);
    expect(during.body.phase).toBe('ingesting');
    expect(during.body.ingest).toEqual({ files: 1, totalFiles: 3, chunks: 5, chunksPerSecond: 50, phase: 'embed' });
    expect(world.ingestCalls[0]!.folder).toBe('/docs');

    world.ingestGate.open();
    await service.started;
    const after = await readyz();
    expect(after.status).toBe(200);
    expect(after.body.index?.version).toBe('v2');
    expect(after.body.ingest).toBeUndefined();
  });

  it('skips the ingest when an index exists', async () => {
    const world = fakeWorld({ indexOnDisk: true });
    const { service } = await start(world);
    await service.started;
    expect(world.ingestCalls).toHaveLength(0);
  });

  it('ingests every start with INGEST_ON_START=always', async () => {
    const world = fakeWorld({ indexOnDisk: true });
    const { service } = await start(world, { INGEST_ON_START: 'always' });
    await service.started;
    expect(world.ingestCalls).toHaveLength(1);
  });

  it('never ingests with INGEST_ON_START=never', async () => {
    const world = fakeWorld({ indexOnDisk: false });
    const { service } = await start(world, { INGEST_ON_START: 'never' });
    await service.started;
    expect(world.ingestCalls).toHaveLength(0);
  });

  it('runs without platforms and logs the hint', async () => {
    const world = fakeWorld();
    const { service, readyz, log } = await start(world);
    await service.started;

    const report = await readyz();
    expect(report.status).toBe(200);
    expect(report.body.platforms).toEqual({});
    const hint = log.lines().find((line) => typeof line.msg === 'string' && line.msg.startsWith('No chat platform is enabled'));
    expect(hint?.msg).toContain('DISCORD_TOKEN');
    expect(hint?.msg).toContain('SLACK_BOT_TOKEN');
  });

  it('logs the bound port', async () => {
    const { service, log } = await start(fakeWorld());
    const line = log.lines().find((l) => l.msg === `HTTP server listening on 127.0.0.1:${service.port}`);
    expect(line?.port).toBe(service.port);
  });

  it('rebuilds an index built with another model', async () => {
    const world = fakeWorld();
    world.openError = Object.assign(new Error('The index was built with model other-model.'), { name: 'IndexMismatchError' });
    world.openErrorOnce = true;
    const { service, readyz, log } = await start(world);

    await service.started;
    expect(world.ingestCalls).toHaveLength(1);
    expect((await readyz()).status).toBe(200);
    expect(log.lines().some((line) => line.level === 40 && String(line.msg).includes('rebuilding it'))).toBe(true);
  });

  it('keeps a mismatched index with INGEST_ON_START=never', async () => {
    const world = fakeWorld();
    world.openError = Object.assign(new Error('The index was built with model other-model.'), { name: 'IndexMismatchError' });
    const { service } = await start(world, { INGEST_ON_START: 'never' });
    await expect(service.started).rejects.toThrow('other-model');
    expect(world.ingestCalls).toHaveLength(0);
  });

  it('reports a failed start-up on readyz', async () => {
    const world = fakeWorld();
    world.openError = new Error('The index was built with model other-model; run `ragbot ingest` again.');
    const { service, readyz, base } = await start(world);

    await expect(service.started).rejects.toThrow('other-model');
    const report = await readyz();
    expect(report.status).toBe(503);
    expect(report.body.phase).toBe('failed');
    expect(report.body.reason).toContain('other-model');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('serve platforms', () => {
  const discordEnv = { DISCORD_TOKEN: 'discord.secret.token' };
  const slackEnv = { SLACK_BOT_TOKEN: 'xoxb-secret-bot-token', SLACK_SIGNING_SECRET: 'slack-signing-secret-value' };

  it('is ready only when every platform connects', async () => {
    const world = fakeWorld();
    const { service, readyz } = await start(world, { ...discordEnv, ...slackEnv });
    await service.started;

    const waiting = await readyz();
    expect(waiting.status).toBe(503);
    expect(waiting.body.platforms).toEqual({ discord: 'starting', slack: 'starting' });
    expect(waiting.body.reason).toContain('discord is starting');

    world.adapters.discord!.connect.open();
    await until(async () => (await readyz()).body.platforms.discord === 'connected');
    expect((await readyz()).status).toBe(503);

    world.adapters.slack!.connect.open();
    await until(async () => (await readyz()).status === 200);
    expect((await readyz()).body.platforms).toEqual({ discord: 'connected', slack: 'connected' });
  });

  it('answers slack events with 503 until the adapter mounts', async () => {
    const world = fakeWorld({
      closedGates: ['embedder'],
      slackRoutes: [{ method: 'POST', path: '/slack/events', handle: (_q, r) => void r.end('from adapter') }],
    });
    const { service, base } = await start(world, slackEnv);

    const early = await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('10');

    world.embedderGate.open();
    await service.started;
    const later = await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' });
    expect(await later.text()).toBe('from adapter');
  });

  it('keeps running when one adapter cannot be created', async () => {
    const world = fakeWorld();
    world.adapterErrors.discord = new Error('Discord token rejected');
    const { service, readyz, log } = await start(world, { ...discordEnv, ...slackEnv });
    await service.started;
    world.adapters.slack!.connect.open();

    await until(async () => (await readyz()).body.platforms.slack === 'connected');
    const report = await readyz();
    expect(report.body.platforms.discord).toBe('failed');
    expect(report.status).toBe(503);
    expect(log.lines().some((line) => line.platform === 'discord' && line.level === 50)).toBe(true);
  });

  it('never logs a secret', async () => {
    const world = fakeWorld();
    const { service, log } = await start(world, { ...discordEnv, ...slackEnv, ADMIN_TOKEN: adminToken });
    await service.started;
    world.adapters.discord!.connect.open();
    world.adapters.slack!.connect.open();
    await service.stop();

    for (const secret of [discordEnv.DISCORD_TOKEN, slackEnv.SLACK_BOT_TOKEN, slackEnv.SLACK_SIGNING_SECRET, adminToken]) {
      expect(log.text()).not.toContain(secret);
    }
  });
});

describe('serve metrics and readiness figures', () => {
  it('exposes engine figures on metrics and readyz', async () => {
    const world = fakeWorld();
    world.engine.statsValue = { queueLength: 2, inFlight: 3, caches: { answer: { hits: 3, misses: 1, size: 4 } }, sessions: 0 };
    const { service, base, readyz } = await start(world);
    await service.started;

    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^ragbot_queue_length 2$/m);
    expect(text).toMatch(/^ragbot_in_flight 3$/m);
    expect(text).toMatch(/^ragbot_process_resident_memory_bytes \d+/m);

    const report = (await readyz()).body;
    expect(report.queueLength).toBe(2);
    expect(report.inFlight).toBe(3);
    expect(report.caches.answer).toEqual({ hits: 3, misses: 1, size: 4, hitRate: 0.75 });
    expect(report.rssBytes).toBeGreaterThan(0);
  });
});

describe('serve re-ingest', () => {
  const auth = { authorization: `Bearer ${adminToken}` };

  it('re-ingests and reloads the index', async () => {
    const world = fakeWorld();
    const { service, base, readyz } = await start(world, { ADMIN_TOKEN: adminToken });
    await service.started;

    const response = await fetch(`${base}/admin/reingest`, { method: 'POST', headers: auth });
    expect(response.status).toBe(202);
    await until(async () => (await readyz()).body.reingest.running === false && world.events.includes('kb.reload'));

    const report = (await readyz()).body;
    expect(report.reingest.lastReport?.version).toBe('v2');
    expect(report.reingest.lastError).toBeUndefined();
  });

  it('refuses a second re-ingest while one runs', async () => {
    const world = fakeWorld();
    const { service, base } = await start(world, { ADMIN_TOKEN: adminToken });
    await service.started;
    world.ingestGate = new Gate();

    expect((await fetch(`${base}/admin/reingest`, { method: 'POST', headers: auth })).status).toBe(202);
    expect((await fetch(`${base}/admin/reingest`, { method: 'POST', headers: auth })).status).toBe(409);
    world.ingestGate.open();
  });

  it('refuses a re-ingest before start-up ends', async () => {
    const world = fakeWorld({ closedGates: ['embedder'] });
    const { base } = await start(world, { ADMIN_TOKEN: adminToken });
    expect((await fetch(`${base}/admin/reingest`, { method: 'POST', headers: auth })).status).toBe(503);
    world.embedderGate.open();
  });

  it('stops within the grace period while the model loads', async () => {
    const world = fakeWorld({ closedGates: ['embedder'] });
    const { service, log } = await start(world, { SHUTDOWN_GRACE_MS: '100' });
    await service.stop();
    expect(log.lines().some((line) => line.msg === 'Shutdown complete')).toBe(true);
    world.embedderGate.open();
  });

  it('rejects a re-ingest without the token', async () => {
    const world = fakeWorld();
    const { service, base } = await start(world, { ADMIN_TOKEN: adminToken });
    await service.started;
    expect((await fetch(`${base}/admin/reingest`, { method: 'POST' })).status).toBe(401);
    expect(world.ingestCalls).toHaveLength(0);
  });
});

describe('serve shutdown', () => {
  it('drains, stops platforms, saves sessions, then closes', async () => {
    const world = fakeWorld();
    const { service, base } = await start(world, { DISCORD_TOKEN: 'discord.secret.token', SHUTDOWN_GRACE_MS: '3000' });
    await service.started;
    world.adapters.discord!.connect.open();
    for await (const _event of world.engine.ask({ question: 'q', session: { platform: 'discord', channel: 'c1', user: 'u1' } })) {
      // consume the fake answer so a session exists
    }

    const before = Date.now();
    await service.stop();
    const adapter = world.adapters.discord!;
    expect(world.events).toEqual(['engine.drain', 'discord.stop', 'engine.saveSessions', 'kb.close']);
    expect(adapter.stopDeadline).toBeGreaterThanOrEqual(before + 3000);
    expect(adapter.stopDeadline).toBeLessThanOrEqual(Date.now() + 3000);
    expect(world.engine.savedTo).toBe(path.join(dataDir, 'sessions.json.gz'));
    expect(JSON.parse(await readFile(world.engine.savedTo!, 'utf8'))).toEqual(['discord:c1:u1']);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('waits for in-flight answers before saving', async () => {
    const world = fakeWorld();
    const { service } = await start(world, { DISCORD_TOKEN: 'discord.secret.token' });
    await service.started;
    const gate = new Gate();
    world.adapters.discord!.finishAnswers = gate;

    const stopping = service.stop();
    await until(() => world.events.includes('discord.stop'));
    expect(world.events).not.toContain('engine.saveSessions');
    gate.open();
    await stopping;
    expect(world.events.at(-2)).toBe('engine.saveSessions');
  });

  it('restores sessions saved by the previous run', async () => {
    const first = fakeWorld();
    const one = await start(first);
    await one.service.started;
    first.engine.sessions = ['slack:c:u', 'discord:c:u'];
    await one.service.stop();

    const second = fakeWorld();
    const two = await start(second);
    await two.service.started;
    expect(second.engine.restoredFrom).toBe(path.join(dataDir, 'sessions.json.gz'));
    expect((await two.readyz()).body.sessions).toBe(2);
  });

  it('reports stopping on readyz and is idempotent', async () => {
    const world = fakeWorld();
    const { service } = await start(world);
    await service.started;
    const first = service.stop();
    const second = service.stop();
    expect(first).toBe(second);
    expect(service.status.report().phase).toBe('stopping');
    expect(service.status.report().ready).toBe(false);
    await first;
  });

  it('cancels the start-up ingest when stopped', async () => {
    const world = fakeWorld({ indexOnDisk: false, closedGates: ['ingest'] });
    const { service, log } = await start(world);
    await until(() => world.ingestCalls.length === 1);

    await service.stop();
    expect(world.ingestCalls[0]!.signal?.aborted).toBe(true);
    expect(world.events).not.toContain('engine.saveSessions');
    await expect(service.started).rejects.toBeInstanceOf(StartupCancelledError);
    expect(log.lines().some((line) => line.msg === 'Start-up failed')).toBe(false);
  });
});
