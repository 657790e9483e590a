// The Discord platform adapter: connects with discord.js, turns mentions, DMs
// and `/ask` into engine questions, and streams each answer into a reply.
// Answers are written over REST only, so a gateway reconnect does not touch
// them; the adapter state follows the gateway for the readiness endpoint.
import { Events, type Channel, type ChatInputCommandInteraction, type Client, type ClientOptions, type CloseEvent, type Interaction, type Message, type PermissionsBitField } from 'discord.js';
import type { Config } from '../../config.js';
import { EngineErrorCode, userMessages } from '../../engine/errors.js';
import type { AnswerEngine, AskRequest } from '../../engine/types.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AdapterState, PlatformAdapter } from '../adapter.js';
import { EditPacer } from '../shared/edit-pacer.js';
import { AnswerJob } from './answer-job.js';
import { DiscordLoginError, PermissionReporter, isPermissionError, rateLimitDelayMs, requiredPermissions } from './api-errors.js';
import { closeCodeError, createClient, loginError } from './client.js';
import { askCommandName, registerAskCommand } from './commands.js';
import { InteractionReplyTarget, MessageReplyTarget, replyBriefly, respondEphemeral, type ReplyTarget } from './reply-target.js';
import { observeRest } from './rest-observer.js';
import { parseTrigger, profileOf, triggerInputOf } from './triggers.js';

/** Options of `createDiscordAdapter`. */
export interface DiscordAdapterOptions {
  config: Config;
  logger: Logger;
  engine: AnswerEngine;
  metrics?: Metrics;
  /** discord.js client options that replace ragbot's (tests); `rest` is merged. */
  clientOptions?: Partial<ClientOptions>;
  /** Milliseconds `start()` waits for the gateway to be ready (default 30 000). */
  readyTimeoutMs?: number;
  /** Milliseconds that answers cut short by `stop()` get to write their note (default 5000). */
  stopNoteGraceMs?: number;
  /** Characters per message (default: Discord's 2000). */
  maxMessageLength?: number;
}

/** Creates the Discord adapter; call `start()` to connect. */
export function createDiscordAdapter(options: DiscordAdapterOptions): PlatformAdapter {
  return new DiscordAdapter(options);
}

/** An answer being streamed. */
interface RunningJob {
  job: AnswerJob;
  done: Promise<void>;
}

/** Gateway close codes after which discord.js does not reconnect. */
const unrecoverableCloseCodes = new Set([4004, 4010, 4011, 4012, 4013, 4014]);

class DiscordAdapter implements PlatformAdapter {
  readonly platform = 'discord';
  private currentState: AdapterState = 'disconnected';
  private client: Client | undefined;
  private accepting = false;
  private unobserve: (() => void) | undefined;
  private readonly jobs = new Set<RunningJob>();
  private readonly logger: Logger;
  private readonly pacer: EditPacer;
  private readonly permissions: PermissionReporter;

  constructor(private readonly options: DiscordAdapterOptions) {
    this.logger = options.logger.child({ component: 'discord' });
    this.pacer = new EditPacer({ floorMs: options.config.discordEditFloorMs, retryDelayMs: rateLimitDelayMs });
    this.permissions = new PermissionReporter(this.logger);
  }

  state(): AdapterState {
    return this.currentState;
  }

  inFlight(): number {
    return this.jobs.size;
  }

  async start(): Promise<void> {
    const { config } = this.options;
    if (config.discordToken === undefined) {
      this.currentState = 'failed';
      throw new DiscordLoginError('DISCORD_TOKEN is missing.', 'Set DISCORD_TOKEN to the bot token from the Developer Portal (Bot > Reset Token).');
    }

    this.currentState = 'starting';
    const client = createClient(config, this.options.clientOptions);
    this.client = client;
    this.unobserve = observeRest(client.rest, { pacer: this.pacer, logger: this.logger, metrics: this.options.metrics });
    this.attachEvents(client);

    try {
      await this.login(client, config.discordToken);
    } catch (error) {
      this.currentState = 'failed';
      this.unobserve();
      await client.destroy();
      this.logger.error({ err: error }, 'Failed to connect to Discord.');
      throw error;
    }

    this.currentState = 'connected';
    this.accepting = true;
    this.logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'Connected to Discord.');

    await registerAskCommand({
      rest: client.rest,
      applicationId: client.application?.id ?? (client.user?.id as string),
      guildId: config.discordGuildId,
      maxQuestionChars: config.maxQuestionChars,
      logger: this.logger,
    });
  }

  async stop(deadline: number): Promise<void> {
    this.accepting = false;
    const client = this.client;
    if (client === undefined) {
      this.currentState = 'stopped';
      return;
    }

    // In-flight answers may finish until the deadline; the rest end with a note.
    await this.waitForJobs(deadline);
    if (this.jobs.size > 0) {
      this.logger.info({ answers: this.jobs.size }, 'Shutdown deadline reached; ending the remaining answers with a note.');
      for (const { job } of this.jobs) job.interrupt();
      await this.waitForJobs(Date.now() + (this.options.stopNoteGraceMs ?? 5000));
    }
    if (this.jobs.size > 0) this.logger.warn({ answers: this.jobs.size }, 'Some answers could not write their shutdown note in time.');

    this.unobserve?.();
    await client.destroy();
    this.client = undefined;
    this.currentState = 'stopped';
    this.logger.info('Disconnected from Discord.');
  }

  /** Logs in and waits for READY and the guilds; rejects on a fatal close code or after the ready timeout. */
  private login(client: Client, token: string): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        client.off(Events.ClientReady, onReady);
        client.off(Events.ShardDisconnect, onDisconnect);
      };
      const fail = (error: unknown) => {
        cleanup();
        reject(error);
      };
      const onReady = () => {
        cleanup();
        resolve();
      };
      const onDisconnect = (event: CloseEvent) => fail(closeCodeError(event.code));
      const timer = setTimeout(
        () => fail(new DiscordLoginError(`Discord did not report ready within ${timeoutMs} ms.`, 'Check network access to Discord and DISCORD_REST_URL, then restart.')),
        timeoutMs,
      );

      client.once(Events.ClientReady, onReady);
      client.once(Events.ShardDisconnect, onDisconnect);
      client.login(token).catch((error: unknown) => fail(loginError(error)));
    });
  }

  private attachEvents(client: Client): void {
    client.on(Events.MessageCreate, (message) => this.onMessage(message));
    client.on(Events.InteractionCreate, (interaction) => this.onInteraction(interaction));

    client.on(Events.ShardReconnecting, (shardId) => {
      // Closing the gateway during stop() is not a lost connection.
      if (!this.accepting) return;
      if (this.currentState === 'connected') this.currentState = 'reconnecting';
      this.logger.info({ shardId }, 'Gateway connection lost; reconnecting. Answers in flight continue over REST.');
    });
    client.on(Events.ShardResume, (shardId, replayedEvents) => {
      if (this.currentState === 'reconnecting') this.currentState = 'connected';
      this.logger.info({ shardId, replayedEvents }, 'Gateway session resumed.');
    });
    client.on(Events.ShardReady, (shardId) => {
      if (this.currentState === 'reconnecting') this.currentState = 'connected';
      this.logger.debug({ shardId }, 'Gateway shard ready.');
    });
    client.on(Events.ShardDisconnect, (event, shardId) => {
      if (!unrecoverableCloseCodes.has(event.code) || this.currentState === 'starting') return;
      this.currentState = 'disconnected';
      const error = closeCodeError(event.code);
      this.logger.error({ shardId, closeCode: event.code }, error.message);
    });
    client.on(Events.ShardError, (error, shardId) => this.logger.warn({ err: error, shardId }, 'Gateway connection error.'));
    client.on(Events.Error, (error) => this.logger.error({ err: error }, 'discord.js client error.'));
    client.on(Events.Warn, (message) => this.logger.warn(message));
  }

  private onMessage(message: Message): void {
    const botUserId = this.client?.user?.id;
    if (botUserId === undefined) return;

    const trigger = parseTrigger(triggerInputOf(message, botUserId));
    if (trigger === undefined) return;
    const guildId = message.guildId ?? undefined;

    if (!this.accepting) {
      this.logger.info({ channelId: message.channelId, messageId: message.id }, 'Ignored a question because the adapter is stopping.');
      return;
    }
    if (trigger.question === '') {
      this.options.metrics?.questions.inc({ platform: this.platform, outcome: 'rejected' });
      this.sendHint(() => replyBriefly(this.restOf(), message.channelId, guildId, message.id, userMessages[EngineErrorCode.EmptyQuestion]), message.channel);
      return;
    }

    const request: AskRequest = {
      question: trigger.question,
      session: { platform: this.platform, team: guildId, channel: message.channelId, user: message.author.id },
      profile: profileOf(message.member),
    };
    const target = new MessageReplyTarget(this.restOf(), message.channelId, guildId, message.id);
    this.launch(target, request, message.channel);
  }

  private onInteraction(interaction: Interaction): void {
    if (!interaction.isChatInputCommand() || interaction.commandName !== askCommandName) return;
    const rest = this.restOf();
    const hint = (content: string) => this.sendHint(() => respondEphemeral(rest, interaction.id, interaction.token, content), interaction.channel);

    if (!this.accepting) {
      hint(userMessages[EngineErrorCode.Busy]);
      return;
    }
    const question = interaction.options.getString('question', true).trim();
    if (question === '') {
      this.options.metrics?.questions.inc({ platform: this.platform, outcome: 'rejected' });
      hint(userMessages[EngineErrorCode.EmptyQuestion]);
      return;
    }

    const guildId = interaction.guildId ?? undefined;
    const channelId = interaction.channelId ?? `dm:${interaction.user.id}`;
    const request: AskRequest = {
      question,
      session: { platform: this.platform, team: guildId, channel: channelId, user: interaction.user.id },
      profile: profileOf(memberOf(interaction), interaction.options.getBoolean('compact') ?? false),
    };
    const target = new InteractionReplyTarget(rest, interaction.applicationId, interaction.id, interaction.token, channelId, guildId);
    this.launch(target, request, interaction.channel);
  }

  /** Starts an answer job and tracks it until it ends. */
  private launch(target: ReplyTarget, request: AskRequest, channel: Channel | null): void {
    const job = new AnswerJob({
      engine: this.options.engine,
      pacer: this.pacer,
      logger: this.logger,
      permissions: this.permissions,
      target,
      request,
      inThread: channel?.isThread() ?? false,
      grantedPermissions: () => this.grantedIn(channel),
      maxLength: this.options.maxMessageLength,
    });

    const running: RunningJob = {
      job,
      done: job.run().then(
        (end) => this.logger.debug({ channelId: target.channelId, end }, 'Answer job ended.'),
        (error: unknown) => this.logger.error({ err: error, channelId: target.channelId }, 'Answer job failed unexpectedly.'),
      ),
    };
    this.jobs.add(running);
    void running.done.finally(() => this.jobs.delete(running));
  }

  /** Sends a short hint (usage, busy); a missing permission is reported, other failures logged. */
  private sendHint(send: () => Promise<void>, channel: Channel | null): void {
    send().catch((error: unknown) => {
      if (isPermissionError(error) && channel !== null) {
        const inThread = channel.isThread();
        this.permissions.report({
          channelId: channel.id,
          guildId: 'guildId' in channel ? (channel.guildId ?? undefined) : undefined,
          operation: 'reply',
          required: requiredPermissions('reply', inThread),
          granted: this.grantedIn(channel),
          error,
        });
        return;
      }
      this.logger.warn({ err: error, channelId: channel?.id }, 'Failed to send a hint to the user.');
    });
  }

  /** Returns the bot's cached permissions in a guild channel or thread; undefined in DMs or when unknown. */
  private grantedIn(channel: Channel | null): Readonly<PermissionsBitField> | undefined {
    const botUserId = this.client?.user?.id;
    if (channel === null || botUserId === undefined || channel.isDMBased()) return undefined;
    return channel.permissionsFor(botUserId) ?? undefined;
  }

  private restOf(): Client['rest'] {
    if (this.client === undefined) throw new Error('The Discord adapter is not started: call start() first.');
    return this.client.rest;
  }

  /** Resolves when no job is running or at `deadline`, whichever comes first. */
  private async waitForJobs(deadline: number): Promise<void> {
    const remaining = deadline - Date.now();
    if (this.jobs.size === 0 || remaining <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, remaining);
    });
    await Promise.race([Promise.allSettled([...this.jobs].map((running) => running.done)), timeout]);
    clearTimeout(timer);
  }
}

/** Returns the member who ran a command when the guild is cached (for presence), else null. */
function memberOf(interaction: ChatInputCommandInteraction) {
  return interaction.inCachedGuild() ? interaction.member : null;
}
