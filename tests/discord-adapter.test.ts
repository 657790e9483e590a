// The Discord adapter end to end: the real discord.js client against the
// Discord stand-in, with a scripted engine. Triggers, session keys, /ask,
// replies, sources and mention safety.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineErrorCode, userMessages } from '../src/engine/errors.js';
import { startHarness, counterValue, type DiscordHarness } from './support/discord-standin/harness.js';
import { ScriptedEngine, chunkText } from './support/discord-standin/scripted-engine.js';
import type { RecordedCall } from './support/discord-standin/index.js';

const answer = 'Put your Markdown files in the knowledge folder and run ragbot ingest [1].';
const sources = [
  { index: 1, path: 'hub/add-docs.md', heading: 'Adding docs', score: 0.9, url: 'https://example.org/docs/hub/add-docs' },
  { index: 2, path: 'guides/ingest_basics.md', heading: 'Ingest', score: 0.7 },
];
const expectedFinal = `${answer}\n\n-# Sources: [1] <https://example.org/docs/hub/add-docs> · [2] \`guides/ingest_basics.md\``;

let harness: DiscordHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function scriptedAnswer(): ScriptedEngine {
  return new ScriptedEngine({ deltas: chunkText(answer, 12), delayMs: 15, sources });
}

/** Bot calls that create or edit messages. */
function messageWrites(calls: RecordedCall[]): RecordedCall[] {
  return calls.filter((call) => (call.method === 'POST' || call.method === 'PATCH') && /\/messages|\/webhooks\//.test(call.path));
}

describe('Discord adapter triggers', () => {
  it('answers a mention in a channel', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> how do I add my docs?` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === expectedFinal, 'the final answer');

    const reply = standin.repliesTo(question.id)[0];
    expect(reply?.history[0]).toBe('-# Searching the docs…');
    expect(reply?.history.some((content) => content.endsWith(' ▌'))).toBe(true);
    expect(reply?.reference).toMatchObject({ message_id: question.id, channel_id: standin.ids.channel, fail_if_not_exists: false });
    expect(standin.calls.some((call) => call.method === 'POST' && call.path === `/channels/${standin.ids.channel}/typing`)).toBe(true);

    expect(engine.asks).toHaveLength(1);
    expect(engine.asks[0]?.request.question).toBe('how do I add my docs?');
    expect(engine.asks[0]?.request.session).toEqual({ platform: 'discord', team: standin.ids.guild, channel: standin.ids.channel, user: standin.ids.asker });
    expect(engine.asks[0]?.request.profile).toBe('normal');
  });

  it('accepts the older <@!id> mention', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    const question = standin.sendUserMessage({ content: `hey <@!${standin.ids.botUser}>   what is a Space?` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === expectedFinal, 'the final answer');

    expect(engine.asks[0]?.request.question).toBe('hey what is a Space?');
  });

  it('accepts a mention of the bot role', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    const question = standin.sendUserMessage({ content: `<@&${standin.ids.botRole}> where are secrets set?` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === expectedFinal, 'the final answer');

    expect(engine.asks[0]?.request.question).toBe('where are secrets set?');
  });

  it('answers a DM without a mention', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    const question = standin.sendUserMessage({ content: 'how do I add my docs?', channelId: standin.ids.dmChannel });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === expectedFinal, 'the final answer');

    expect(engine.asks[0]?.request.session).toEqual({ platform: 'discord', team: undefined, channel: standin.ids.dmChannel, user: standin.ids.asker });
    expect(standin.repliesTo(question.id)[0]?.guildId).toBeUndefined();
  });

  it('keeps one session per thread and user', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    const first = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> first question`, channelId: standin.ids.thread });
    await standin.waitFor(() => standin.repliesTo(first.id)[0]?.content === expectedFinal, 'the first answer');
    const second = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> and a follow-up`, channelId: standin.ids.thread });
    await standin.waitFor(() => standin.repliesTo(second.id)[0]?.content === expectedFinal, 'the second answer');
    const other = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> my own question`, channelId: standin.ids.thread, authorId: standin.ids.otherUser });
    await standin.waitFor(() => standin.repliesTo(other.id)[0]?.content === expectedFinal, 'the other user answer');

    const keys = engine.asks.map((ask) => ask.request.session);
    expect(keys[0]).toEqual({ platform: 'discord', team: standin.ids.guild, channel: standin.ids.thread, user: standin.ids.asker });
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]?.user).toBe(standin.ids.otherUser);
    expect(standin.repliesTo(first.id)[0]?.channelId).toBe(standin.ids.thread);
  });

  it('ignores bots, its own messages and plain chatter', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    standin.sendUserMessage({ content: `<@${standin.ids.botUser}> a bot asking`, authorId: standin.ids.otherBot });
    standin.sendUserMessage({ content: `<@${standin.ids.botUser}> echo of itself`, authorId: standin.ids.botUser });
    standin.sendUserMessage({ content: 'just chatting, no mention' });
    const real = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> a real question` });
    await standin.waitFor(() => standin.repliesTo(real.id)[0]?.content === expectedFinal, 'the real answer');

    expect(engine.asks.map((ask) => ask.request.question)).toEqual(['a real question']);
    // The stand-in echoes the bot's own replies as MESSAGE_CREATE; none of them became a question.
    expect(standin.rest.messages.list().length).toBe(1);
  });

  it('replies with a usage hint to an empty mention', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine, metrics } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}>` });
    await standin.waitFor(() => standin.repliesTo(question.id).length === 1, 'the usage hint');

    expect(standin.repliesTo(question.id)[0]?.content).toBe(userMessages[EngineErrorCode.EmptyQuestion]);
    expect(engine.asks).toHaveLength(0);
    expect(await counterValue(metrics, 'ragbot_questions_total', { platform: 'discord', outcome: 'rejected' })).toBe(1);
  });

  it('uses the compact profile for askers on a phone', async () => {
    harness = await startHarness({ engine: scriptedAnswer(), standin: { askerOnMobile: true }, env: { DISCORD_PRESENCE_INTENT: 'true' } });
    const { standin, engine } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> short please` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === expectedFinal, 'the final answer');

    expect(engine.asks[0]?.request.profile).toBe('compact');
    expect(standin.gateway.lastIntents! & (1 << 8)).toBe(1 << 8);
  });
});

describe('Discord adapter /ask', () => {
  it('registers /ask globally or per guild', async () => {
    harness = await startHarness({ engine: scriptedAnswer(), env: { DISCORD_GUILD_ID: '' } });
    const global = harness.standin.rest.commands;
    expect(global).toHaveLength(1);
    expect(global[0]?.scope).toBe('global');
    await harness.close();

    const guildId = '123456789012345678';
    harness = await startHarness({ engine: scriptedAnswer(), env: { DISCORD_GUILD_ID: guildId } });
    const [command] = harness.standin.rest.commands;
    expect(command?.scope).toBe(guildId);
    expect(command?.body.name).toBe('ask');
    expect(command?.body.options).toEqual([
      expect.objectContaining({ name: 'question', type: 3, required: true }),
      expect.objectContaining({ name: 'compact', type: 5 }),
    ]);
  });

  it('answers /ask through the deferred response', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    const interaction = standin.invokeAsk({ question: 'how do I add my docs?' });
    await standin.waitFor(() => standin.interactionMessages(interaction)[0]?.content === expectedFinal, 'the final answer');

    expect(interaction.callbackType).toBe(5);
    expect(engine.asks[0]?.request.profile).toBe('normal');
    expect(engine.asks[0]?.request.session).toEqual({ platform: 'discord', team: standin.ids.guild, channel: standin.ids.channel, user: standin.ids.asker });
    const edits = standin.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith('/messages/@original'));
    expect(edits.length).toBeGreaterThan(1);
  });

  it('passes compact:true as the compact profile', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, engine } = harness;

    const interaction = standin.invokeAsk({ question: 'how do I add my docs?', compact: true });
    await standin.waitFor(() => standin.interactionMessages(interaction)[0]?.content === expectedFinal, 'the final answer');

    expect(engine.asks[0]?.request.profile).toBe('compact');
  });

  it('lists at most three sources in the compact profile', async () => {
    const many = [1, 2, 3, 4, 5, 6].map((index) => ({ index, path: `docs/page-${index}.md`, heading: '', score: 1 / index }));
    harness = await startHarness({ engine: new ScriptedEngine({ deltas: ['Answer [1].'], sources: many }) });
    const { standin } = harness;

    const compact = standin.invokeAsk({ question: 'q', compact: true });
    const normal = standin.invokeAsk({ question: 'q' });
    await standin.waitFor(() => standin.interactionMessages(compact)[0]?.content.includes('Sources') === true, 'the compact answer');
    await standin.waitFor(() => standin.interactionMessages(normal)[0]?.content.includes('Sources') === true, 'the normal answer');

    expect(standin.interactionMessages(compact)[0]?.content).toBe('Answer [1].\n\n-# Sources: [1] `docs/page-1.md` · [2] `docs/page-2.md` · [3] `docs/page-3.md`');
    expect(standin.interactionMessages(normal)[0]?.content.match(/\[\d\] `/g)).toHaveLength(5);
  });
});

describe('Discord adapter mention safety', () => {
  it('sends every message with no pings allowed', async () => {
    const pinging = `@everyone look, <@${'1'.repeat(18)}> and <@&${'2'.repeat(18)}> too.`;
    harness = await startHarness({ engine: new ScriptedEngine({ deltas: chunkText(pinging, 10), delayMs: 15 }) });
    const { standin } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> ping everyone` });
    const interaction = standin.invokeAsk({ question: 'ping everyone' });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === pinging, 'the channel answer');
    await standin.waitFor(() => standin.interactionMessages(interaction)[0]?.content === pinging, 'the interaction answer');

    const writes = messageWrites(standin.calls);
    expect(writes.length).toBeGreaterThan(4);
    for (const call of writes) {
      expect((call.body as { allowed_mentions?: unknown }).allowed_mentions, `${call.method} ${call.path}`).toEqual({ parse: [], replied_user: false });
    }
  });

  it('suppresses link previews on created messages', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> links?` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === expectedFinal, 'the final answer');

    expect(standin.repliesTo(question.id)[0]?.flags).toBe(1 << 2);
  });

  it('counts REST calls in the metrics', async () => {
    harness = await startHarness({ engine: scriptedAnswer() });
    const { standin, metrics } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> count me` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === expectedFinal, 'the final answer');

    const edits = standin.calls.filter((call) => call.method === 'PATCH').length;
    expect(await counterValue(metrics, 'ragbot_platform_api_calls_total', { platform: 'discord', method: 'PATCH /channels/:id/messages/:id', status: '200' })).toBe(edits);
    expect(await counterValue(metrics, 'ragbot_platform_rate_limited_total')).toBe(0);
  });
});
