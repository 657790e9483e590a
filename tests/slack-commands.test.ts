// The /ask slash command through the real Bolt app over HTTP: signed
// form-encoded requests in, Web API calls to the stand-in out.
import { afterEach, describe, expect, it } from 'vitest';
import {
  deltasOf,
  ScriptedEngine,
  sendSigned,
  sendSlashCommand,
  startSlackHarness,
  testSigningSecret,
  waitFor,
  waitForAnswers,
  type SlackHarness,
} from './support/slack-standin/index.js';

let harness: SlackHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('slash command', () => {
  it('acks before retrieval starts', async () => {
    const engine = new ScriptedEngine(() => ({ firstDelayMs: 400, deltas: ['Spaces run ', 'apps.'] }));
    harness = await startSlackHarness({ engine });
    const ackEndedBeforeAsk: boolean[] = [];
    engine.onAsk = () => ackEndedBeforeAsk.push(harness!.server.responses[0]!.writableEnded);

    const reply = await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'what is a Space?' });
    await waitForAnswers(harness, 1);

    expect(reply.status).toBe(200);
    // The HTTP response was complete when the engine was called, and arrived before the first delta.
    expect(ackEndedBeforeAsk).toEqual([true]);
    expect(reply.receivedAt).toBeLessThan(engine.asks[0]!.firstDeltaAt!);
  });

  it('streams the answer into the channel', async () => {
    const answer = 'A **Space** hosts a demo app. See [the guide](https://hf.co/docs/hub/spaces) [1].';
    harness = await startSlackHarness({
      script: () => ({ deltas: deltasOf(answer, 8), delayMs: 30, sources: [{ index: 1, path: 'hub/spaces.md', heading: 'Spaces', score: 1, url: 'https://hf.co/docs/hub/spaces' }] }),
    });

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'what is a Space?' });
    await waitForAnswers(harness, 1);

    const posts = harness.standIn.callsOf('chat.postMessage');
    const updates = harness.standIn.callsOf('chat.update');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.channel).toBe('C0GENERAL');
    expect(updates.length).toBeGreaterThan(1);
    const [message] = harness.standIn.messagesIn('C0GENERAL');
    expect(message!.body).toBe(answer);
    expect(message!.context.join(' ')).toContain('*asker* asked: what is a Space?');
    expect(message!.context.join(' ')).toContain('<https://hf.co/docs/hub/spaces|[1] Spaces>');
    expect(harness.engine.asks[0]!.request.session).toEqual({ platform: 'slack', team: 'T0STANDIN', channel: 'C0GENERAL', user: 'U0ASKER' });
  });

  it('falls back to response_url outside channels', async () => {
    harness = await startSlackHarness({
      standIn: { notInChannel: ['C0PRIVATE'] },
      script: () => ({ deltas: deltasOf('x'.repeat(20_000), 500), delayMs: 5 }),
    });

    const responseUrl = harness.standIn.responseUrl('cmd-1');
    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'long question', channel_id: 'C0PRIVATE', response_url: responseUrl });
    await waitForAnswers(harness, 1);

    const posts = harness.standIn.responsePosts.filter((post) => post.id === 'cmd-1');
    expect(posts.length).toBeLessThanOrEqual(5);
    expect(posts.every((post) => post.status === 200)).toBe(true);
    expect(posts[0]!.body.replace_original).toBeFalsy();
    expect(posts[1]!.body.replace_original).toBe(true);
    expect(JSON.stringify(posts.at(-1)!.body)).toContain('Slack allows only five replies');
    expect(harness.standIn.callsOf('chat.update')).toHaveLength(0);
  });

  it('answers empty text with a usage hint', async () => {
    harness = await startSlackHarness();

    const reply = await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: '   ' });

    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/ask how do I add my docs?');
    expect(harness.engine.asks).toHaveLength(0);
  });

  it('selects the compact profile', async () => {
    harness = await startSlackHarness();

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'compact how do I upload a model?' });
    await waitForAnswers(harness, 1);

    expect(harness.engine.asks[0]!.request.profile).toBe('compact');
    expect(harness.engine.asks[0]!.request.question).toBe('how do I upload a model?');
  });

  it('rejects a bad signature with 401', async () => {
    harness = await startSlackHarness();
    const body = new URLSearchParams({ command: '/ask', text: 'hi', team_id: 'T0STANDIN', channel_id: 'C0GENERAL', user_id: 'U0ASKER' }).toString();

    const reply = await sendSigned(harness.eventsUrl, testSigningSecret, body, 'application/x-www-form-urlencoded', { secret: 'wrong-secret' });

    expect(reply.status).toBe(401);
    expect(harness.engine.asks).toHaveLength(0);
    expect(harness.standIn.calls.filter((call) => call.method !== 'auth.test')).toHaveLength(0);
  });

  it('rejects a stale timestamp with 401', async () => {
    harness = await startSlackHarness();

    const reply = await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'hi' }, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });

    expect(reply.status).toBe(401);
    expect(harness.engine.asks).toHaveLength(0);
    expect(harness.standIn.calls.filter((call) => call.method !== 'auth.test')).toHaveLength(0);
  });

  it('shows the failure when Slack errors', async () => {
    harness = await startSlackHarness({
      standIn: { fault: (method, args) => (method === 'chat.update' && Array.isArray(args.blocks) && args.blocks.length > 0 ? 'invalid_blocks' : undefined) },
      script: () => ({ deltas: ['Part one. ', 'Part two.'], delayMs: 20 }),
    });

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'anything' });
    await waitForAnswers(harness, 1);

    const [message] = harness.standIn.messagesIn('C0GENERAL');
    expect(message!.body).toContain('posting this answer to Slack failed');
    const failure = harness.logs().find((line) => line.code === 'invalid_blocks' && line.level === 50);
    expect(failure?.method).toBe('chat.update');
    await waitFor(() => harness!.metrics.registry.getSingleMetric('ragbot_questions_total') !== undefined);
    const errors = await harness.metrics.registry.getSingleMetricAsString('ragbot_platform_api_calls_total');
    expect(errors).toContain('status="invalid_blocks"');
  });
});
