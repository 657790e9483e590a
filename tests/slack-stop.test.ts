// Stopping the Slack adapter: answers in flight finish until the deadline,
// the rest end with a note, and new questions are turned away.
import { afterEach, describe, expect, it } from 'vitest';
import {
  deltasOf,
  sendSlashCommand,
  startSlackHarness,
  testSigningSecret,
  waitFor,
  type SlackHarness,
} from './support/slack-standin/index.js';

let harness: SlackHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('slack adapter stop', () => {
  it('lets a short answer finish', async () => {
    harness = await startSlackHarness({ script: () => ({ deltas: deltasOf('Short answer that finishes in time.', 5), delayMs: 30 }) });

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'quick?' });
    await waitFor(() => harness!.adapter.inFlight() === 1, 5000, 'the answer to start');
    await harness.adapter.stop(Date.now() + 10_000);

    expect(harness.adapter.state()).toBe('stopped');
    expect(harness.adapter.inFlight()).toBe(0);
    expect(harness.standIn.messagesIn('C0GENERAL')[0]!.body).toBe('Short answer that finishes in time.');
  });

  it('cuts a long answer at the deadline', async () => {
    harness = await startSlackHarness({
      script: () => ({ deltas: deltasOf('word '.repeat(400), 5), delayMs: 50 }),
      // The margin covers the wait for a chat.update token (about 1.3 s at Slack's default budget).
      adapter: { stopMarginMs: 1500 },
    });

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'long?' });
    await waitFor(() => harness!.engine.asks[0]?.firstDeltaAt !== undefined, 5000, 'the first delta');
    await harness.adapter.stop(Date.now() + 2500);

    expect(harness.adapter.inFlight()).toBe(0);
    expect(harness.engine.asks[0]!.request.signal?.aborted).toBe(true);
    const body = harness.standIn.messagesIn('C0GENERAL')[0]!.body;
    expect(body).toMatch(/^word word/);
    expect(body).toContain('I had to stop this answer because I am restarting.');
    // The engine, not the adapter, counts question outcomes.
    const outcomes = await harness.metrics.registry.getSingleMetricAsString('ragbot_questions_total');
    expect(outcomes).not.toContain('platform="slack"');
  });

  it('turns new questions away while stopping', async () => {
    harness = await startSlackHarness({ script: () => ({ deltas: deltasOf('word '.repeat(40), 5), delayMs: 20 }) });

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'first?' });
    await waitFor(() => harness!.adapter.inFlight() === 1, 5000, 'the answer to start');
    const stopping = harness.adapter.stop(Date.now() + 10_000);
    const during = await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'second?' });
    await stopping;
    const after = await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'third?' });

    expect(JSON.parse(during.body)).toMatchObject({ response_type: 'ephemeral', text: 'I am restarting right now. Please ask again in a minute.' });
    expect(after.status).toBe(503);
    expect(harness.engine.asks).toHaveLength(1);
  });
});
