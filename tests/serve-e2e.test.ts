// End-to-end tests of `ragbot serve` as a child process: the real knowledge
// base (tiny local model, bundled knowledge folder), the real engine against
// the LLM stand-in, and the real Slack adapter against the Slack stand-in.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordStandin } from './support/discord-standin/index.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';
import { baseEnv, servicePort, startHoldingProxy, startRagbot, type HoldingProxy, type RagbotProcess } from './support/serve-process.js';
import { eventCallback, sendEvent, SlackStandIn, testSigningSecret, waitFor } from './support/slack-standin/index.js';

const adminToken = 'e2e-admin-token-0123456789abcdef';
const question = 'how do I add my documents to the knowledge folder?';
// A different question, because a repeated first question is served from the answer cache.
const slowQuestion = 'how do I update documents after I change them?';
const slowTokens = ['Put ', 'your ', 'files ', 'in ', 'a ', 'folder ', 'and ', 'run ', '`ragbot ', 'ingest` ', '[1]', '. ', 'Only ', 'changed ', 'files ', 'are ', 'embedded ', 'again', '. ', 'finished', '.'];

let workDir: string;
let llm: LlmStandin;
let slack: SlackStandIn;
let proxy: HoldingProxy;
const children: RagbotProcess[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ragbot-e2e-'));
  llm = await startLlmStandin({ defaultScript: { tokens: ['Run ', '`ragbot ingest` ', '[1]', '.'] } });
  slack = new SlackStandIn();
  await slack.start();
  proxy = await startHoldingProxy(slack.apiUrl.replace(/api\/$/, ''));
});

afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await proxy?.close();
  await slack?.close();
  await llm?.close();
  await rm(workDir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): RagbotProcess {
  const child = startRagbot(args, env);
  children.push(child);
  return child;
}

/** Builds an app_mention event in #general that starts its own thread. */
function mention(text: string, ts: string): Record<string, unknown> {
  return { type: 'app_mention', user: 'U0ASKER', text: `<@${slack.botUserId}> ${text}`, ts, channel: 'C0GENERAL', event_ts: ts };
}

/** Checks every sample line of a Prometheus text exposition and returns the samples by series. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    expect(match, `metrics line "${line}"`).not.toBeNull();
    samples.set(match![1]!, Number(match![2]));
  }
  return samples;
}

describe('ragbot serve end to end', () => {
  it('serves, answers, drains on SIGTERM and restores sessions', async () => {
    const dataDir = path.join(workDir, 'data');
    const env = {
      ...baseEnv(dataDir),
      LLM_ENDPOINT_URL: llm.url,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: testSigningSecret,
      SLACK_API_URL: `${proxy.url}api/`,
      ADMIN_TOKEN: adminToken,
      SHUTDOWN_GRACE_MS: '15000',
    };
    const first = run(['serve'], env);
    const base = `http://127.0.0.1:${await servicePort(first)}`;

    // Liveness at once; readiness only once Slack's token check passes.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await first.waitForLog((line) => line.msg === 'Service started; answering questions');
    const waiting = await fetch(`${base}/readyz`);
    expect(waiting.status).toBe(503);
    expect(((await waiting.json()) as { platforms: Record<string, string> }).platforms.slack).toBe('starting');

    proxy.release();
    await waitFor(() => first.logs().some((line) => line.msg === 'slack connected'), 30_000, 'slack connected');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { index: { chunks: number }; model: { id: string } };
    expect(report.index.chunks).toBeGreaterThan(0);
    expect(report.model.id).toBe('tiny-model');

    // The admin endpoint needs the token.
    expect((await fetch(`${base}/admin/reingest`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/admin/reingest`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);

    // A question is answered, and the metrics count it.
    const quick = await sendEvent(`${base}/slack/events`, testSigningSecret, eventCallback(mention(question, '1700000001.000100'), 'EvQuick'));
    expect(quick.status).toBe(200);
    await waitFor(() => slack.callsOf('chat.stopStream').length + slack.callsOf('chat.update').length > 0 && first.logs().some((l) => l.msg === 'question answered'), 30_000, 'first answer');
    const samples = parsePrometheus(await (await fetch(`${base}/metrics`)).text());
    // Each answer counts once; the engine records it, so an adapter that also did would double it.
    expect(samples.get('ragbot_questions_total{platform="slack",outcome="answered"}'), 'answered questions').toBe(1);
    expect(samples.get('ragbot_answer_seconds_count{platform="slack"}'), 'answer latency samples').toBe(1);
    expect(samples.get('ragbot_process_resident_memory_bytes')).toBeGreaterThan(0);

    // SIGTERM while an answer streams: the answer finishes, then sessions are saved.
    llm.script({ tokens: slowTokens, gapMs: 80 });
    await sendEvent(`${base}/slack/events`, testSigningSecret, eventCallback(mention(slowQuestion, '1700000002.000100'), 'EvSlow'));
    await waitFor(() => (llm.requests[1]?.tokensSent ?? 0) >= 3, 30_000, 'slow answer streaming');
    first.child.kill('SIGTERM');

    expect(await first.exited).toBe(0);
    expect(llm.requests[1]!.aborted).toBe(false);
    expect(llm.requests[1]!.tokensSent).toBe(slowTokens.length);
    const slowAnswer = slack.messagesIn('C0GENERAL', '1700000002.000100').map((m) => m.body).join('\n');
    expect(slowAnswer).toContain('finished.');
    expect((await stat(path.join(dataDir, 'sessions.json.gz'))).size).toBeGreaterThan(0);
    const saved = first.logs().find((line) => line.msg?.toString().startsWith('Saved '));
    expect(saved?.saved).toBe(2);

    // A restart restores both conversations.
    const second = run(['serve'], { ...baseEnv(dataDir), LLM_ENDPOINT_URL: llm.url });
    const restored = await second.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('Restored '));
    expect(restored.restored).toBe(2);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // No secret reached the output of either run.
    for (const output of [first.stdout() + first.stderr(), second.stdout() + second.stderr()]) {
      expect(output).not.toContain(adminToken);
      expect(output).not.toContain(slack.token);
      expect(output).not.toContain(testSigningSecret);
    }
  });

  it('answers a Discord mention', async () => {
    const discord = await DiscordStandin.start();
    try {
      const env = { ...baseEnv(path.join(workDir, 'discord-data')), LLM_ENDPOINT_URL: llm.url, DISCORD_TOKEN: discord.token, DISCORD_REST_URL: discord.restUrl, DISCORD_EDIT_FLOOR_MS: '100' };
      const child = run(['serve'], env);
      const base = `http://127.0.0.1:${await servicePort(child)}`;
      await child.waitForLog((line) => line.msg === 'discord connected');

      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { platforms: Record<string, string> }).platforms).toEqual({ discord: 'connected' });

      const message = discord.sendUserMessage({ content: `<@${discord.ids.botUser}> ${question}` });
      await discord.waitFor(() => discord.repliesTo(message.id).some((reply) => reply.content.includes('ragbot ingest')), 'the answer in the reply', 30_000);
      await child.waitForLog((line) => line.msg === 'question answered');

      const samples = parsePrometheus(await (await fetch(`${base}/metrics`)).text());
      expect(samples.get('ragbot_questions_total{platform="discord",outcome="answered"}')).toBe(1);
      const discordCalls = [...samples].filter(([series]) => series.startsWith('ragbot_platform_api_calls_total{platform="discord"'));
      expect(discordCalls.length).toBeGreaterThan(0);

      child.child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(child.stdout() + child.stderr()).not.toContain(discord.token);
    } finally {
      await discord.close();
    }
  });

  it('exits 2 on a bad variable without echoing secrets', async () => {
    const secrets = { SLACK_BOT_TOKEN: 'xoxb-e2e-bot-secret', SLACK_SIGNING_SECRET: 'e2e-signing-secret-value', HF_TOKEN: 'not-a-hub-token-secret' };
    const child = run(['serve'], { ...baseEnv(path.join(workDir, 'bad')), PORT: 'eighty', ...secrets });

    expect(await child.exited).toBe(2);
    const output = child.stdout() + child.stderr();
    expect(output).toContain('PORT: expected a whole number');
    expect(output).toContain('HF_TOKEN');
    expect(output).not.toMatch(/\n\s+at /);
    for (const secret of Object.values(secrets)) expect(output).not.toContain(secret);
  });

  it('starts despite a corrupt sessions file', async () => {
    const dataDir = path.join(workDir, 'corrupt-sessions');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'sessions.json.gz'), 'not gzip at all');
    const child = run(['serve'], baseEnv(dataDir));

    const restored = await child.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('Restored '));
    expect(restored.restored).toBe(0);
    await child.waitForLog((line) => line.msg === 'Service started; answering questions');
    child.child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });

  it('exits 2 when DATA_DIR cannot be created', async () => {
    const file = path.join(workDir, 'not-a-folder');
    await writeFile(file, 'x');
    const child = run(['serve'], baseEnv(path.join(file, 'data')));

    expect(await child.exited).toBe(2);
    expect(child.stderr()).toContain('DATA_DIR');
    expect(child.stderr()).toContain('not a writable folder');
  });
});
