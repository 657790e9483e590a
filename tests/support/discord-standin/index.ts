// A Discord stand-in on 127.0.0.1 for tests and the benchmark: the REST API
// under /api/v10 and a gateway websocket. Both speak the real protocol, so an
// unmodified discord.js client can log in, receive messages and
// interactions, and post and edit replies.
//
//   const standin = await DiscordStandin.start({ limits: { messageEdit: { limit: 5, windowMs: 5000 } } });
//   const client = new Client({ intents, rest: { api: standin.restUrl } });
//   await client.login(standin.token);
//   standin.sendUserMessage({ content: `<@${standin.ids.botUser}> hello` });
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayDispatchEvents } from 'discord.js';
import { createIds, interactionCreatePayload, messageCreatePayload, nextSnowflake, textChannelPayload, type StandinIds, type UserMessage } from './fixtures.js';
import { StandinGateway } from './gateway.js';
import type { StoredInteraction, StoredMessage } from './messages.js';
import type { BucketLimit } from './rate-buckets.js';
import { StandinRest, type BucketName, type RecordedCall } from './rest.js';

export type { StandinIds, UserMessage } from './fixtures.js';
export type { StoredInteraction, StoredMessage } from './messages.js';
export type { BucketLimit } from './rate-buckets.js';
export type { BucketName, InjectedFault, RecordedCall } from './rest.js';

/** Options of `DiscordStandin.start`. */
export interface DiscordStandinOptions {
  /** Bot token that REST calls and IDENTIFY must carry. */
  token?: string;
  /** Size of rate-limit buckets; unset buckets allow 1000 requests per second. */
  limits?: Partial<Record<BucketName, BucketLimit>>;
  heartbeatIntervalMs?: number;
  /** Reports the asker as online on a phone in GUILD_CREATE presences. */
  askerOnMobile?: boolean;
  /** Echoes the bot's own channel messages as MESSAGE_CREATE, as Discord does (default true). */
  echoBotMessages?: boolean;
  /** Intent bits that the application has not enabled; IDENTIFY with them is closed with 4014. */
  disallowedIntents?: number;
}

/** A running stand-in. Call `close()` when done. */
export class DiscordStandin {
  readonly ids: StandinIds = createIds();
  readonly token: string;
  readonly rest: StandinRest;
  readonly gateway: StandinGateway;
  private readonly server: Server;

  private constructor(options: DiscordStandinOptions) {
    this.token = options.token ?? 'standin-bot-token';
    this.rest = new StandinRest({
      ids: this.ids,
      token: this.token,
      gatewayUrl: () => this.gatewayUrl,
      limits: options.limits,
      onBotMessage: (message) => {
        if (options.echoBotMessages ?? true) this.echoBotMessage(message);
      },
    });
    this.gateway = new StandinGateway({
      ids: this.ids,
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      resumeUrl: () => this.gatewayUrl,
      askerOnMobile: options.askerOnMobile ?? false,
      disallowedIntents: options.disallowedIntents ?? 0,
    });

    this.server = createServer((request, response) => {
      if (!request.url?.startsWith('/api/')) {
        response.writeHead(404).end();
        return;
      }
      this.rest.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error), code: 0 }));
      });
    });
    this.server.on('upgrade', (request, socket, head) => {
      if (!request.url?.startsWith('/gateway')) {
        socket.destroy();
        return;
      }
      this.gateway.server.handleUpgrade(request, socket, head, (ws) => this.gateway.server.emit('connection', ws, request));
    });
  }

  /** Starts a stand-in on a free port of 127.0.0.1. */
  static async start(options: DiscordStandinOptions = {}): Promise<DiscordStandin> {
    const standin = new DiscordStandin(options);
    await new Promise<void>((resolve) => standin.server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL to give discord.js REST as `api` (and ragbot as DISCORD_REST_URL). */
  get restUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** Every REST call so far, in arrival order. */
  get calls(): RecordedCall[] {
    return this.rest.calls;
  }

  /** Dispatches MESSAGE_CREATE for a user's message; defaults: the asker in the guild's main channel. */
  sendUserMessage(fields: { content: string; channelId?: string; authorId?: string }): UserMessage {
    const channelId = fields.channelId ?? this.ids.channel;
    const message: UserMessage = {
      id: nextSnowflake(),
      channelId,
      guildId: channelId === this.ids.dmChannel ? undefined : this.ids.guild,
      authorId: fields.authorId ?? this.ids.asker,
      content: fields.content,
    };
    this.gateway.dispatch(GatewayDispatchEvents.MessageCreate, messageCreatePayload(this.ids, message));
    return message;
  }

  /** Dispatches INTERACTION_CREATE for `/ask`; defaults: the asker in the guild's main channel. */
  invokeAsk(fields: { question: string; compact?: boolean; channelId?: string; userId?: string }): StoredInteraction {
    const channelId = fields.channelId ?? this.ids.channel;
    const guildId = channelId === this.ids.dmChannel ? undefined : this.ids.guild;
    const interaction: StoredInteraction = {
      id: nextSnowflake(),
      token: `interaction-token-${nextSnowflake()}`,
      channelId,
      guildId,
      callbackType: undefined,
      originalMessageId: undefined,
    };
    this.rest.messages.interactions.set(interaction.id, interaction);
    const payload = interactionCreatePayload(this.ids, {
      id: interaction.id,
      token: interaction.token,
      commandId: nextSnowflake(),
      channelId,
      guildId,
      userId: fields.userId ?? this.ids.asker,
      question: fields.question,
      compact: fields.compact,
    });
    this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    return interaction;
  }

  /** Deletes a bot message, as a moderator would; later edits of it get 404 Unknown Message. */
  deleteMessage(id: string): void {
    const message = this.rest.messages.messages.get(id);
    if (message === undefined) throw new Error(`The stand-in has no message ${id}.`);
    message.deleted = true;
  }

  /** Makes sends and typing in `channelId` fail with 403 Missing Permissions (50013) or Missing Access (50001). */
  denyPermission(channelId: string, code: 50013 | 50001 = 50013): void {
    this.rest.injectFault({
      method: 'POST',
      path: new RegExp(`^/channels/${channelId}/(messages|typing)$`),
      status: 403,
      body: { message: code === 50013 ? 'Missing Permissions' : 'Missing Access', code },
    });
  }

  /**
   * Denies the bot's role `permission` in a guild text channel, as a moderator
   * would: CHANNEL_UPDATE carries the overwrite, and sends and typing there
   * fail with 403 Missing Permissions.
   */
  denyBotPermission(channelId: string, permission: bigint): void {
    this.gateway.dispatch(GatewayDispatchEvents.ChannelUpdate, textChannelPayload(this.ids, channelId, [{ roleId: this.ids.botRole, deny: permission }]));
    this.denyPermission(channelId, 50013);
  }

  /** Answers the next `times` requests matching `method` and `path` with 429 and Discord's rate-limit headers. */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds: number, times = 1): void {
    this.rest.injectFault({
      method,
      path,
      times,
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
      headers: {
        'retry-after': String(Math.ceil(retryAfterSeconds)),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': ((Date.now() + retryAfterSeconds * 1000) / 1000).toFixed(3),
        'x-ratelimit-reset-after': retryAfterSeconds.toFixed(3),
        'x-ratelimit-scope': 'user',
      },
    });
  }

  /** The bot's live replies to a user message, in order (the first part and its continuations). */
  repliesTo(userMessageId: string): StoredMessage[] {
    return this.rest.messages.list((m) => !m.deleted && m.reference?.message_id === userMessageId);
  }

  /** The original response and follow-ups of an interaction, in order. */
  interactionMessages(interaction: StoredInteraction): StoredMessage[] {
    return this.rest.messages.list((m) => m.interactionToken === interaction.token);
  }

  /** Polls `predicate` every 20 ms until it is true; rejects after `timeoutMs` with `description`. */
  async waitFor(predicate: () => boolean, description: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${description}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Closes the gateway and the HTTP server. */
  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private echoBotMessage(message: StoredMessage): void {
    if (!this.gateway.connected && this.gateway.identifies === 0) return;
    this.gateway.dispatch(GatewayDispatchEvents.MessageCreate, this.rest.messages.toPayload(message));
  }
}
