// The Discord stand-in against a plain discord.js client: if these fail, the
// adapter tests cannot be trusted, whatever they report.
import { once } from 'node:events';
import { Client, DiscordAPIError, GatewayIntentBits, Partials, Routes, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordStandin, type DiscordStandinOptions } from './support/discord-standin/index.js';

const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages];

let standin: DiscordStandin | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await standin?.close();
  client = undefined;
  standin = undefined;
});

async function connect(options: DiscordStandinOptions = {}): Promise<{ standin: DiscordStandin; client: Client }> {
  standin = await DiscordStandin.start(options);
  client = new Client({ intents, partials: [Partials.Channel], rest: { api: standin.restUrl } });
  const ready = once(client, 'clientReady');
  await client.login(standin.token);
  await ready;
  return { standin, client };
}

describe('Discord stand-in', () => {
  it('logs a discord.js client in with guild, channels and roles', async () => {
    const { standin, client } = await connect();

    expect(client.user?.id).toBe(standin.ids.botUser);
    expect(client.application?.id).toBe(standin.ids.application);
    const guild = client.guilds.cache.get(standin.ids.guild);
    expect(guild?.channels.cache.has(standin.ids.channel)).toBe(true);
    expect(guild?.channels.cache.has(standin.ids.thread)).toBe(true);
    expect(guild?.roles.botRoleFor(standin.ids.botUser)?.id).toBe(standin.ids.botRole);
    expect(standin.gateway.connectionQueries[0]).toBe('v=10&encoding=json');
    expect(standin.gateway.lastIntents).toBe(client.options.intents.bitfield);
  });

  it('delivers user messages in guild channels and DMs', async () => {
    const { standin, client } = await connect();
    const received: Message[] = [];
    client.on('messageCreate', (message) => received.push(message));

    standin.sendUserMessage({ content: `<@${standin.ids.botUser}> hi` });
    standin.sendUserMessage({ content: 'in a DM', channelId: standin.ids.dmChannel });
    await standin.waitFor(() => received.length === 2, 'two messageCreate events');

    expect(received[0]?.mentions.users.has(standin.ids.botUser)).toBe(true);
    expect(received[0]?.guildId).toBe(standin.ids.guild);
    expect(received[1]?.channel.isDMBased()).toBe(true);
  });

  it('stores bot messages and edits with their history', async () => {
    const { standin, client } = await connect();
    const created = (await client.rest.post(Routes.channelMessages(standin.ids.channel), { body: { content: 'one' } })) as { id: string };
    await client.rest.patch(Routes.channelMessage(standin.ids.channel, created.id), { body: { content: 'two' } });

    expect(standin.rest.messages.messages.get(created.id)?.history).toEqual(['one', 'two']);
  });

  it('answers 404 Unknown Message for deleted messages', async () => {
    const { standin, client } = await connect();
    const created = (await client.rest.post(Routes.channelMessages(standin.ids.channel), { body: { content: 'one' } })) as { id: string };
    standin.deleteMessage(created.id);

    const edit = client.rest.patch(Routes.channelMessage(standin.ids.channel, created.id), { body: { content: 'two' } });
    await expect(edit).rejects.toBeInstanceOf(DiscordAPIError);
    await expect(edit).rejects.toMatchObject({ code: 10008, status: 404 });
  });

  it('answers 429 with rate-limit headers past the bucket', async () => {
    const { standin } = await connect({ limits: { messageEdit: { limit: 2, windowMs: 60_000 } } });
    const base = `${standin.restUrl}/v10/channels/${standin.ids.channel}/messages`;
    const headers = { authorization: `Bot ${standin.token}`, 'content-type': 'application/json' };
    const created = (await (await fetch(base, { method: 'POST', headers, body: '{"content":"x"}' })).json()) as { id: string };

    const responses: Response[] = [];
    for (let i = 0; i < 3; i++) responses.push(await fetch(`${base}/${created.id}`, { method: 'PATCH', headers, body: '{"content":"y"}' }));

    expect(responses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(responses[1]?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(responses[2]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await responses[2]?.json()).toMatchObject({ global: false, message: 'You are being rate limited.' });
    expect(standin.rest.rateLimitedResponses).toBe(1);
  });

  it('replays missed dispatches when the client resumes', async () => {
    const { standin, client } = await connect();
    const received: string[] = [];
    client.on('messageCreate', (message) => received.push(message.content));

    const resumed = standin.gateway.nextResume();
    standin.gateway.drop();
    standin.sendUserMessage({ content: 'sent while disconnected' });
    await resumed;
    await standin.waitFor(() => received.length === 1, 'the replayed message');

    expect(received).toEqual(['sent while disconnected']);
    expect(standin.gateway.identifies).toBe(1);
    expect(standin.gateway.resumes).toBe(1);
  });
});
