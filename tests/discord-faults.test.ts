// Faults around a Discord answer: the reply deleted mid-stream, the gateway
// dropped mid-answer, missing permissions, engine errors, shutdown with a
// deadline, and start-up failures.
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordLoginError } from '../src/bots/discord/index.js';
import { EngineError, EngineErrorCode, userMessages } from '../src/engine/errors.js';
import { logLevel, startHarness, type DiscordHarness } from './support/discord-standin/harness.js';
import { ScriptedEngine, chunkText } from './support/discord-standin/scripted-engine.js';

const text = 'The answer streams in many small pieces so that there is time to break things in the middle of it.';

let harness: DiscordHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function slowEngine(delayMs = 60): ScriptedEngine {
  return new ScriptedEngine({ deltas: chunkText(text, 5), delayMs });
}

describe('Discord reply faults', () => {
  it('aborts the engine when the reply is deleted', async () => {
    harness = await startHarness({ engine: slowEngine() });
    const { standin, engine, adapter, logs } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> delete me` });
    await standin.waitFor(() => (standin.repliesTo(question.id)[0]?.history.length ?? 0) >= 3, 'a few edits');
    const reply = standin.repliesTo(question.id)[0]!;
    standin.deleteMessage(reply.id);
    await standin.waitFor(() => engine.asks[0]?.signal.aborted === true, 'the engine call to be aborted');
    await standin.waitFor(() => adapter.inFlight() === 0, 'the job to end');

    expect(engine.asks[0]?.ended).toBe('aborted');
    const notFound = standin.calls.filter((call) => call.method === 'PATCH' && call.status === 404);
    expect(notFound).toHaveLength(1);
    expect(standin.calls.filter((call) => call.at > notFound[0]!.at && call.path.includes(reply.id))).toEqual([]);
    expect(logs.some((line) => line.msg.startsWith('The reply was deleted'))).toBe(true);
    expect(logs.filter((line) => line.level >= logLevel.error)).toEqual([]);
  });

  it('finishes an answer while the gateway reconnects', async () => {
    harness = await startHarness({ engine: slowEngine(40) });
    const { standin, adapter } = harness;

    const first = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> keep going` });
    await standin.waitFor(() => (standin.repliesTo(first.id)[0]?.history.length ?? 0) >= 2, 'the first edits');
    const resumedAt = standin.gateway.nextResume().then(() => Date.now());
    const droppedAt = Date.now();
    standin.gateway.drop();
    await standin.waitFor(() => adapter.state() === 'reconnecting', 'the adapter to report reconnecting');
    // Sent while the client is disconnected: delivered by the replay on RESUME.
    const second = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> asked during the outage` });

    await standin.waitFor(() => standin.repliesTo(first.id)[0]?.content === text, 'the first answer');
    await standin.waitFor(() => standin.repliesTo(second.id)[0]?.content === text, 'the replayed question');

    expect(standin.gateway.identifies).toBe(1);
    expect(standin.gateway.resumes).toBe(1);
    expect(adapter.state()).toBe('connected');
    const outage = { from: droppedAt, to: await resumedAt };
    const editsDuringOutage = standin.calls.filter((call) => call.method === 'PATCH' && call.at > outage.from && call.at < outage.to);
    expect(editsDuringOutage.length).toBeGreaterThan(0);
  });

  it('logs a missing permission once per channel', async () => {
    harness = await startHarness({ engine: slowEngine(5) });
    const { standin, engine, logs } = harness;
    // CHANNEL_UPDATE goes out before the questions on the same socket, so the cache has it first.
    standin.denyBotPermission(standin.ids.channel, PermissionFlagsBits.SendMessages);

    standin.sendUserMessage({ content: `<@${standin.ids.botUser}> first try` });
    standin.sendUserMessage({ content: `<@${standin.ids.botUser}> second try` });
    await standin.waitFor(() => standin.calls.filter((call) => call.status === 403).length === 2, 'both replies to be rejected');
    const elsewhere = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> still working?`, channelId: standin.ids.otherChannel });
    await standin.waitFor(() => standin.repliesTo(elsewhere.id)[0]?.content === text, 'the answer in another channel');

    const warnings = logs.filter((line) => String(line.msg).startsWith('Missing permission'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ permission: 'SendMessages', channelId: standin.ids.channel, operation: 'reply' });
    expect(warnings[0]?.msg).toContain(standin.ids.channel);
    expect(engine.asks).toHaveLength(1);
  });

  it('names every candidate when the cache shows no missing permission', async () => {
    harness = await startHarness({ engine: slowEngine(5) });
    const { standin, logs } = harness;
    standin.denyPermission(standin.ids.thread, 50001);

    standin.sendUserMessage({ content: `<@${standin.ids.botUser}> in the thread`, channelId: standin.ids.thread });
    await standin.waitFor(() => standin.calls.some((call) => call.status === 403), 'the reply to be rejected');
    await standin.waitFor(() => logs.some((line) => String(line.msg).startsWith('Missing permission')), 'the warning');

    const warning = logs.find((line) => String(line.msg).startsWith('Missing permission'));
    expect(warning?.permission).toBe('ViewChannel or SendMessagesInThreads or ReadMessageHistory');
  });
});

describe('Discord engine errors', () => {
  const cases: Array<[string, EngineErrorCode]> = [
    ['busy', EngineErrorCode.Busy],
    ['model unavailable', EngineErrorCode.ModelUnavailable],
    ['rate limited', EngineErrorCode.RateLimited],
  ];

  for (const [name, code] of cases) {
    it(`shows the ${name} message`, async () => {
      harness = await startHarness({ engine: new ScriptedEngine({ deltas: [], error: new EngineError(code, name) }) });
      const { standin } = harness;

      const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> fail please` });
      await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content === userMessages[code], 'the error message');
    });
  }

  it('keeps the partial answer before a timeout note', async () => {
    const error = new EngineError(EngineErrorCode.Timeout, 'too slow');
    harness = await startHarness({ engine: new ScriptedEngine({ deltas: ['Half of ', 'an answer'], error }) });
    const { standin } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> slow one` });
    await standin.waitFor(() => harness!.adapter.inFlight() === 0 && standin.repliesTo(question.id)[0]?.content.startsWith('Half') === true, 'the final reply');

    expect(standin.repliesTo(question.id)[0]?.content).toBe(`Half of an answer\n\n-# ${userMessages[EngineErrorCode.Timeout]}`);
  });

  it('reports an unexpected failure without crashing', async () => {
    const engine = new ScriptedEngine({ deltas: ['Some text'], error: new TypeError('boom') as unknown as EngineError });
    harness = await startHarness({ engine });
    const { standin, logs } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> break` });
    await standin.waitFor(() => standin.repliesTo(question.id)[0]?.content.includes('Something went wrong') === true, 'the failure note');

    expect(logs.some((line) => line.level === logLevel.error && line.msg === 'Answering failed.')).toBe(true);
  });
});

describe('Discord adapter lifecycle', () => {
  it('lets answers finish before the deadline', async () => {
    harness = await startHarness({ engine: slowEngine(10) });
    const { standin, adapter } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> quick` });
    await standin.waitFor(() => adapter.inFlight() === 1, 'the answer to start');
    await adapter.stop(Date.now() + 10_000);

    expect(standin.repliesTo(question.id)[0]?.content).toBe(text);
    expect(adapter.state()).toBe('stopped');
    expect(standin.gateway.connected).toBe(false);
  });

  it('ends answers past the deadline with a note', async () => {
    harness = await startHarness({ engine: slowEngine(100) });
    const { standin, adapter, engine } = harness;

    const question = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> long one` });
    await standin.waitFor(() => (standin.repliesTo(question.id)[0]?.history.length ?? 0) >= 2, 'the first edit');
    await adapter.stop(Date.now() + 200);

    const content = standin.repliesTo(question.id)[0]?.content ?? '';
    expect(content.endsWith('-# Stopped early because ragbot is restarting. Please ask again in a minute.')).toBe(true);
    expect(content.startsWith(text.slice(0, 5))).toBe(true);
    expect(engine.asks[0]?.signal.aborted).toBe(true);
    expect(adapter.inFlight()).toBe(0);
    expect(adapter.state()).toBe('stopped');
  });

  it('rejects start without a token', async () => {
    harness = await startHarness({ engine: slowEngine(), env: { DISCORD_TOKEN: '' }, start: false });

    await expect(harness.adapter.start()).rejects.toThrow('DISCORD_TOKEN is missing.');
    expect(harness.adapter.state()).toBe('failed');
  });

  it('rejects start with a wrong token', async () => {
    harness = await startHarness({ engine: slowEngine(), env: { DISCORD_TOKEN: 'not-the-token' }, start: false });

    const start = harness.adapter.start();
    await expect(start).rejects.toBeInstanceOf(DiscordLoginError);
    await expect(start).rejects.toThrow('Discord rejected DISCORD_TOKEN.');
  });

  it('names the intent settings when Discord disallows an intent', async () => {
    harness = await startHarness({ engine: slowEngine(), standin: { disallowedIntents: 1 << 15 }, start: false });

    const start = harness.adapter.start();
    await expect(start).rejects.toThrow('DISCORD_MESSAGE_CONTENT_INTENT=false');
    expect(harness.adapter.state()).toBe('failed');
  });
});
