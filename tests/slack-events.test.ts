// Mentions and direct messages through the real Bolt app over HTTP: signed
// Events API payloads in, streamed replies to the Web API stand-in out.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineErrorCode } from '../src/engine/errors.js';
import {
  deltasOf,
  eventCallback,
  sendEvent,
  startSlackHarness,
  testSigningSecret,
  waitForAnswers,
  type SlackHarness,
} from './support/slack-standin/index.js';

let harness: SlackHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** An app_mention event in #general. */
function mention(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'app_mention', user: 'U0ASKER', text: `<@U0BOT> ${text}`, ts: '1700000000.000100', channel: 'C0GENERAL', event_ts: '1700000000.000100', ...extra };
}

/** A direct message event from a person. */
function directMessage(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'message', channel_type: 'im', user: 'U0ASKER', text, ts: '1700000000.000200', channel: 'D0ASKER', event_ts: '1700000000.000200', ...extra };
}

describe('slack events', () => {
  it('answers url_verification', async () => {
    harness = await startSlackHarness();

    const reply = await sendEvent(harness.eventsUrl, testSigningSecret, { token: 't', challenge: 'challenge-123', type: 'url_verification' });

    expect(reply.status).toBe(200);
    expect(reply.body).toContain('challenge-123');
  });

  it('streams a mention reply in its thread', async () => {
    const answer = 'Upload with `huggingface-cli upload` [1].\n\n- one\n- two';
    harness = await startSlackHarness({ script: () => ({ deltas: deltasOf(answer, 6), delayMs: 25, sources: [{ index: 1, path: 'hub/upload.md', heading: 'Uploading', score: 1 }] }) });

    const reply = await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(mention('how do I upload?', { thread_ts: '1699999999.000001' }), 'Ev1'));
    await waitForAnswers(harness, 1);

    expect(reply.status).toBe(200);
    const start = harness.standIn.callsOf('chat.startStream');
    expect(start).toHaveLength(1);
    expect(start[0]!.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: '1699999999.000001', recipient_team_id: 'T0STANDIN', recipient_user_id: 'U0ASKER' });
    expect(harness.standIn.callsOf('chat.appendStream').length).toBeGreaterThan(0);
    expect(harness.standIn.callsOf('chat.stopStream')).toHaveLength(1);
    expect(harness.standIn.callsOf('chat.postMessage')).toHaveLength(0);

    const [message] = harness.standIn.messagesIn('C0GENERAL');
    expect(message!.body).toBe(answer);
    expect(message!.streaming).toBe(false);
    expect(message!.context.join(' ')).toContain('[1] Uploading');
    expect(harness.engine.asks[0]!.request.question).toBe('how do I upload?');
    expect(harness.engine.asks[0]!.request.session.channel).toBe('C0GENERAL:1699999999.000001');
  });

  it('replies to a top-level mention in a new thread', async () => {
    harness = await startSlackHarness();

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(mention('hello?'), 'Ev2'));
    await waitForAnswers(harness, 1);

    expect(harness.standIn.callsOf('chat.startStream')[0]!.args.thread_ts).toBe('1700000000.000100');
  });

  it('falls back to chat.update when streaming is refused', async () => {
    const answer = 'First sentence. Second sentence. Third sentence.';
    harness = await startSlackHarness({ standIn: { refuseStreaming: 'not_allowed' }, script: () => ({ deltas: deltasOf(answer, 10), delayMs: 20 }) });

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(mention('one?'), 'Ev3'));
    await waitForAnswers(harness, 1);
    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(mention('two?', { ts: '1700000000.000300' }), 'Ev4'));
    await waitForAnswers(harness, 2);

    // The workspace refused once; the second answer does not try streaming again.
    expect(harness.standIn.callsOf('chat.startStream')).toHaveLength(1);
    const posts = harness.standIn.callsOf('chat.postMessage');
    expect(posts.map((post) => post.args.thread_ts)).toEqual(['1700000000.000100', '1700000000.000300']);
    const bodies = harness.standIn.messagesIn('C0GENERAL').map((m) => m.body);
    expect(bodies).toEqual([answer, answer]);
  });

  it('answers a direct message in place', async () => {
    harness = await startSlackHarness({ script: () => ({ deltas: ['Direct ', 'answer.'], delayMs: 10 }) });

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(directMessage('what is a dataset?'), 'Ev5'));
    await waitForAnswers(harness, 1);

    const posts = harness.standIn.callsOf('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.channel).toBe('D0ASKER');
    expect(posts[0]!.args.thread_ts).toBeUndefined();
    expect(harness.standIn.messagesIn('D0ASKER')[0]!.body).toBe('Direct answer.');
    expect(harness.engine.asks[0]!.request.session).toEqual({ platform: 'slack', team: 'T0STANDIN', channel: 'D0ASKER', user: 'U0ASKER' });
  });

  it('ignores bot messages, edits and its own', async () => {
    harness = await startSlackHarness();

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(directMessage('from a bot', { bot_id: 'B0OTHER' }), 'Ev6'));
    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(directMessage('edited', { subtype: 'message_changed' }), 'Ev7'));
    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(directMessage('mine', { user: 'U0BOT' }), 'Ev8'));
    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(directMessage('in a channel', { channel_type: 'channel', channel: 'C0GENERAL' }), 'Ev9'));
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(harness.engine.asks).toHaveLength(0);
  });

  it('answers a redelivered event once', async () => {
    harness = await startSlackHarness({ script: () => ({ firstDelayMs: 100, deltas: ['Once.'] }) });
    const payload = eventCallback(mention('twice?'), 'EvSame');

    const first = await sendEvent(harness.eventsUrl, testSigningSecret, payload);
    const second = await sendEvent(harness.eventsUrl, testSigningSecret, payload, { retryNum: 1 });
    const third = await sendEvent(harness.eventsUrl, testSigningSecret, payload, { retryNum: 2 });
    await waitForAnswers(harness, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(harness.engine.asks).toHaveLength(1);
    expect(harness.standIn.callsOf('chat.startStream')).toHaveLength(1);
  });

  it('escapes pings in generated text', async () => {
    const answer = 'Hey <!channel> and <!here> and <!everyone>, ask <@U0OTHER> & read <https://evil.test|this>. Also @here and @channel.';
    harness = await startSlackHarness({ script: () => ({ deltas: deltasOf(answer, 3), delayMs: 5 }) });

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(mention('ping?'), 'Ev10'));
    await waitForAnswers(harness, 1);

    const sent = harness.standIn.calls.filter((call) => call.method.startsWith('chat.'));
    expect(sent.length).toBeGreaterThan(2);
    for (const call of sent) {
      const payload = JSON.stringify(call.args);
      expect(payload).not.toMatch(/<!(channel|here|everyone)>/);
      expect(payload).not.toContain('<@U0OTHER>');
      expect(payload).not.toContain('<https://evil.test');
      expect(payload).not.toMatch(/@(here|channel)\b/);
    }
    const body = harness.standIn.messagesIn('C0GENERAL')[0]!.body;
    expect(body).toContain('&lt;!channel&gt;');
    expect(body).toContain('&lt;@U0OTHER&gt; &amp; read');
  });

  it('shows engine errors as a short note', async () => {
    harness = await startSlackHarness({ script: () => ({ deltas: ['Partial text'], error: EngineErrorCode.Timeout }) });

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(directMessage('slow?'), 'Ev11'));
    await waitForAnswers(harness, 1);

    const body = harness.standIn.messagesIn('D0ASKER')[0]!.body;
    expect(body).toContain('Partial text');
    expect(body).toContain('The answer took too long.');
    // The engine, not the adapter, counts question outcomes.
    const outcomes = await harness.metrics.registry.getSingleMetricAsString('ragbot_questions_total');
    expect(outcomes).not.toContain('platform="slack"');
  });

  it('shows busy without any text', async () => {
    harness = await startSlackHarness({ script: () => ({ deltas: [], error: EngineErrorCode.Busy }) });

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback(mention('busy?'), 'Ev12'));
    await waitForAnswers(harness, 1);

    const [message] = harness.standIn.messagesIn('C0GENERAL');
    expect(message!.body).toBe('I am answering too many questions right now. Please ask again in a minute.');
  });
});
