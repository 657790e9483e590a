// Long answers: split outside code blocks into follow-up messages in the
// thread, and split further when Slack rejects a part as too long.
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from './support/slack-standin/index.js';
import {
  deltasOf,
  eventCallback,
  sendEvent,
  sendSlashCommand,
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

/** About 9,000 characters: prose, then a code block of about 3,000 characters that crosses the first split. */
function longAnswer(): string {
  const paragraph = (n: number) => `Paragraph ${n}: the Hub stores models, datasets and Spaces as git repositories, and each repository has a model card.`;
  const prose = Array.from({ length: 26 }, (_, i) => paragraph(i + 1)).join('\n\n');
  const code = ['```python', ...Array.from({ length: 60 }, (_, i) => `upload_file(path_or_fileobj="weights-${i}.bin", path_in_repo="w/${i}.bin")`), '```'].join('\n');
  const tail = Array.from({ length: 20 }, (_, i) => paragraph(i + 100)).join('\n\n');
  return `${prose}\n\n${code}\n\n${tail}`;
}

/** Lines of the messages without fence lines, to compare with the original text. */
function contentLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('```') && line.trim() !== '')
    .map((line) => line.replace(/ …$/, ''));
}

function expectWellFormed(messages: StoredMessage[], answer: string, maxChars: number): void {
  expect(messages.length).toBeGreaterThan(2);
  for (const message of messages) {
    expect(message.body.length).toBeLessThanOrEqual(maxChars);
    // Every part closes each fence it opens.
    expect((message.body.match(/^```/gm) ?? []).length % 2).toBe(0);
  }
  expect(contentLines(messages.map((m) => m.body).join('\n'))).toEqual(contentLines(answer));
}

describe('long answers', () => {
  it('splits 9,000 characters across a code block', async () => {
    const answer = longAnswer();
    expect(answer.length).toBeGreaterThan(8500);
    harness = await startSlackHarness({ script: () => ({ deltas: deltasOf(answer, 300), delayMs: 5 }) });

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback({ type: 'message', channel_type: 'im', user: 'U0ASKER', text: 'long?', ts: '1700000000.000500', channel: 'D0ASKER' }, 'EvLong'));
    await waitForAnswers(harness, 1);

    const messages = harness.standIn.messagesIn('D0ASKER');
    expectWellFormed(messages, answer, 3900);
    const [first, ...rest] = messages;
    expect(rest.every((m) => m.threadTs === first!.ts)).toBe(true);
  });

  it('replaces a long stream with split messages', async () => {
    const answer = longAnswer();
    harness = await startSlackHarness({ script: () => ({ deltas: deltasOf(answer, 300), delayMs: 5 }) });

    await sendEvent(harness.eventsUrl, testSigningSecret, eventCallback({ type: 'app_mention', user: 'U0ASKER', text: '<@U0BOT> long?', ts: '1700000000.000600', channel: 'C0GENERAL' }, 'EvLongStream'));
    await waitForAnswers(harness, 1);

    const messages = harness.standIn.messagesIn('C0GENERAL');
    expect(messages[0]!.streamed).toBe(true);
    expect(messages[0]!.streaming).toBe(false);
    expectWellFormed(messages, answer, 3900);
    expect(messages.every((m) => m.threadTs === '1700000000.000600')).toBe(true);
  });

  it('splits further on msg_too_long', async () => {
    const answer = longAnswer();
    harness = await startSlackHarness({ standIn: { maxMarkdownChars: 2500 }, script: () => ({ deltas: deltasOf(answer, 300), delayMs: 5 }) });

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'long?' });
    await waitForAnswers(harness, 1);

    const rejected = harness.standIn.calls.filter((call) => call.result === 'msg_too_long');
    expect(rejected.length).toBeGreaterThan(0);
    const messages = harness.standIn.messagesIn('C0GENERAL');
    expectWellFormed(messages, answer, 2500);
  });
});
