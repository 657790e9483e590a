// Streaming answers into Discord: splitting long answers across messages,
// pacing edits of concurrent answers in one channel by the rate-limit
// headers, and recovering from a 429.
import { afterEach, describe, expect, it } from 'vitest';
import { counterValue, startHarness, type DiscordHarness } from './support/discord-standin/harness.js';
import { ScriptedEngine, chunkText } from './support/discord-standin/scripted-engine.js';
import type { RecordedCall, StoredMessage } from './support/discord-standin/index.js';

let harness: DiscordHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** About 5000 characters: prose, a long TypeScript code block that crosses the 2000-character cut, and more prose. */
function longAnswer(): string {
  const prose = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `Paragraph ${from + i}: the knowledge base is rebuilt when files change, and every answer cites its sources [1].`).join('\n\n');
  const code = ['```ts', ...Array.from({ length: 45 }, (_, i) => `const step${i} = await ragbot.ingest({ folder: 'docs/part-${i}' });`), '```'].join('\n');
  return `${prose(1, 14)}\n\n${code}\n\n${prose(15, 14)}`;
}

/** Lines that the splitter adds or that carry no text of their own. */
const isFenceOrBlank = (line: string) => line.trim() === '' || /^```\w*$/.test(line.trim());

/** Checks that `parts` hold every line of `text` in order, each part within Discord's limit and with balanced fences. */
function expectSplitOf(parts: string[], text: string): void {
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(2000);
    expect(part.split('\n').filter((line) => /^```/.test(line.trim())).length % 2).toBe(0);
  }
  const expectedLines = text.split('\n').filter((line) => !isFenceOrBlank(line));
  const actualLines = parts.join('\n').split('\n').filter((line) => !isFenceOrBlank(line));
  expect(actualLines).toEqual(expectedLines);
}

/** Checks that once a message held a full part (no cursor, not the placeholder), it never changed again. */
function expectFrozen(message: StoredMessage): void {
  const firstFull = message.history.findIndex((content) => !content.endsWith(' ▌') && !content.startsWith('-# Searching'));
  expect(firstFull).toBeGreaterThanOrEqual(0);
  for (const content of message.history.slice(firstFull)) expect(content).toBe(message.history[firstFull]);
}

describe('Discord long answers', () => {
  it('splits a 5000-character answer across messages', async () => {
    const text = longAnswer();
    const sources = [{ index: 1, path: 'hub/ingest.md', heading: 'Ingest', score: 1 }];
    harness = await startHarness({ engine: new ScriptedEngine({ deltas: chunkText(text, 250), delayMs: 20, sources }) });
    const { standin } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> explain ingest at length` });
    await standin.waitFor(() => standin.repliesTo(question.id).at(-1)?.content.endsWith('-# Sources: [1] `hub/ingest.md`') === true, 'the final part');

    const replies = standin.repliesTo(question.id);
    const parts = replies.map((reply) => reply.content);
    expect(text.length).toBeGreaterThan(4500);
    expect(replies.length).toBeGreaterThanOrEqual(3);
    expectSplitOf(parts, `${text}\n\n-# Sources: [1] \`hub/ingest.md\``);
    expect(parts.some((part) => part.endsWith('```') && !part.endsWith('\n```\n'))).toBe(true);
    for (const reply of replies.slice(0, -1)) expectFrozen(reply);
    for (const reply of replies) expect(reply.reference?.message_id).toBe(question.id);
  });

  it('continues a long /ask answer in follow-ups', async () => {
    const text = longAnswer();
    harness = await startHarness({ engine: new ScriptedEngine({ deltas: chunkText(text, 250), delayMs: 20 }) });
    const { standin, adapter, engine } = harness;

    const interaction = standin.invokeAsk({ question: 'explain ingest at length' });
    await standin.waitFor(() => engine.asks.length === 1 && adapter.inFlight() === 0, 'the answer to end');

    const messages = standin.interactionMessages(interaction);
    expect(messages[0]?.kind).toBe('interaction-original');
    expect(messages.slice(1).every((message) => message.kind === 'followup')).toBe(true);
    expectSplitOf(
      messages.map((message) => message.content),
      text,
    );
  });
});

describe('Discord edit pacing', () => {
  it('paces ten concurrent answers in one channel without a 429', async () => {
    const answers = Array.from({ length: 10 }, (_, i) => `Answer ${i}: ${'the pacer shares one bucket between all answers in a channel. '.repeat(3)}`.trim());
    const engine = new ScriptedEngine((request) => {
      const index = Number(/question (\d+)/.exec(request.question)?.[1]);
      return { deltas: chunkText(answers[index] as string, 20), delayMs: 100 };
    });
    harness = await startHarness({
      engine,
      env: { DISCORD_EDIT_FLOOR_MS: '200' },
      standin: { limits: { messageEdit: { limit: 5, windowMs: 5000 }, messageCreate: { limit: 5, windowMs: 5000 } } },
    });
    const { standin, metrics, logs } = harness;

    const questions = answers.map((_, i) => standin.sendUserMessage({ content: `<@${standin.ids.botUser}> question ${i}` }));
    await standin.waitFor(() => questions.every((q, i) => standin.repliesTo(q.id)[0]?.content === answers[i]), 'every final answer', 50_000);

    expect(standin.rest.rateLimitedResponses).toBe(0);
    expect(await counterValue(metrics, 'ragbot_platform_rate_limited_total')).toBe(0);
    // The pacer, not discord.js, keeps edits inside the budget: discord.js never had to hold one.
    const heldEdits = logs.filter((line) => line.msg.startsWith('discord.js held a request') && String(line.route).startsWith('PATCH'));
    expect(heldEdits).toEqual([]);
    for (const [i, question] of questions.entries()) {
      expect(standin.repliesTo(question.id), `answer ${i}`).toHaveLength(1);
    }
  }, 60_000);

  it('retries an edit that got a 429', async () => {
    const text = 'A short answer that streams in a few edits.';
    harness = await startHarness({ engine: new ScriptedEngine({ deltas: chunkText(text, 8), delayMs: 40 }) });
    const { standin, metrics } = harness;
    standin.rateLimitNext('PATCH', /^\/channels\/\d+\/messages\/\d+$/, 0.3);

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> rate limit me` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === text, 'the final answer');

    expect(standin.rest.rateLimitedResponses).toBe(1);
    expect(await counterValue(metrics, 'ragbot_platform_rate_limited_total', { platform: 'discord', method: 'PATCH /channels/:id/messages/:id' })).toBe(1);
    const limited = standin.calls.find((call) => call.status === 429) as RecordedCall;
    const next = standin.calls.find((call) => call.method === 'PATCH' && call.at > limited.at);
    expect((next?.at ?? 0) - limited.at).toBeGreaterThanOrEqual(290);
  });
});
