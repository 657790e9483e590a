// Bolt listeners for the three triggers: the slash command, app_mention and
// direct messages. Each picks the reply target and the writer, then hands the
// question to the adapter, which runs it in the background.
import type { App, SlashCommand, RespondArguments } from '@slack/bolt';
import type { AskRequest } from '../../engine/types.js';
import type { Logger } from '../../observability/logger.js';
import { escapeSlackText, notices, questionBlock, usageHint } from './format.js';
import { ResponseUrlWriter, SlashCommandWriter, type ResponseUrlClient } from './response-url.js';
import { StreamWriter } from './stream-writer.js';
import { isDirectQuestion, parseQuestion, SeenEvents, slackSessionKey, type MessageEventFields } from './triggers.js';
import { UpdateWriter } from './update-writer.js';
import type { AnswerWriter, ReplyTarget, StreamingSupport, WriterContext } from './writer.js';

/** Starts an answer in the background; `ids` go on its log lines. */
export type LaunchAnswer = (request: Omit<AskRequest, 'signal'>, writer: AnswerWriter, ids: Record<string, string | undefined>) => void;

/** Dependencies of `QuestionHandlers`. */
export interface QuestionHandlersOptions {
  command: string;
  writerContext: WriterContext;
  responseUrls: ResponseUrlClient;
  streaming: StreamingSupport;
  logger: Logger;
  /** False once the adapter is stopping. */
  accepting: () => boolean;
  launch: LaunchAnswer;
}

/** Fields of the Events API envelope used here. */
interface Envelope {
  event_id?: string;
  team_id?: string;
}

/** Fields of a channel message event (app_mention or message) used here. */
interface ChannelEvent extends MessageEventFields {
  channel: string;
  ts: string;
  thread_ts?: string;
  team?: string;
}

/** Registers the slash command, app_mention and message listeners on a Bolt app. */
export class QuestionHandlers {
  private readonly seen = new SeenEvents();

  constructor(private readonly options: QuestionHandlersOptions) {}

  /** Adds the listeners to `app`. */
  register(app: App): void {
    app.command(this.options.command, async ({ command, ack }) => {
      await this.onCommand(command, ack);
    });
    app.event('app_mention', async ({ event, body, context }) => {
      await this.onChannelEvent('app_mention', event as ChannelEvent, body as Envelope, context.botUserId, context.retryNum);
    });
    app.event('message', async ({ event, body, context }) => {
      const message = event as ChannelEvent;
      if (!isDirectQuestion(message, context.botUserId)) return;
      await this.onChannelEvent('direct_message', message, body as Envelope, context.botUserId, context.retryNum);
    });
  }

  // The ack comes first, before any retrieval: Slack shows an error after 3 seconds without one.
  private async onCommand(command: SlashCommand, ack: (response?: RespondArguments) => Promise<void>): Promise<void> {
    if (!this.options.accepting()) {
      await ack({ response_type: 'ephemeral', text: escapeSlackText(notices.restarting) });
      return;
    }
    const { question, profile } = parseQuestion(command.text ?? '');
    if (question === '') {
      await ack({ response_type: 'ephemeral', text: usageHint(this.options.command) });
      return;
    }
    await ack();

    const target: ReplyTarget = { team: command.team_id, channel: command.channel_id, user: command.user_id, header: questionBlock(command.user_name, question) };
    const writer = new SlashCommandWriter(
      new UpdateWriter(this.options.writerContext, target),
      () => new ResponseUrlWriter(this.options.responseUrls, command.response_url, target, this.options.writerContext.maxMessageChars),
      this.options.logger,
    );
    const session = slackSessionKey(command.team_id, command.channel_id, command.user_id);
    this.options.launch({ question, profile, session }, writer, { trigger: 'command', team: command.team_id, channel: command.channel_id });
  }

  // A mention is answered in its thread; a direct message in place, or in its thread when it is in one.
  private async onChannelEvent(trigger: string, event: ChannelEvent, body: Envelope, botUserId: string | undefined, retryNum: number | undefined): Promise<void> {
    if (event.bot_id !== undefined || event.user === undefined) return;
    if (!this.seen.firstDelivery(body.event_id)) {
      this.options.logger.info({ eventId: body.event_id, retryNum }, 'Ignoring an event that Slack delivered again');
      return;
    }
    if (!this.options.accepting()) {
      this.options.logger.info({ eventId: body.event_id, trigger }, 'Ignoring a question because the adapter is stopping');
      return;
    }

    const team = body.team_id ?? event.team ?? '';
    const threadTs = trigger === 'app_mention' ? (event.thread_ts ?? event.ts) : event.thread_ts;
    const target: ReplyTarget = { team, channel: event.channel, user: event.user, threadTs };
    const { question, profile } = parseQuestion(event.text ?? '', botUserId);
    if (question === '') {
      await this.postNotice(target, notices.emptyMention);
      return;
    }

    const writer = threadTs !== undefined && this.options.streaming.enabled(team)
      ? new StreamWriter(this.options.writerContext, { ...target, threadTs }, this.options.streaming)
      : new UpdateWriter(this.options.writerContext, target);
    const session = slackSessionKey(team, event.channel, event.user, threadTs);
    this.options.launch({ question, profile, session }, writer, { trigger, team, channel: event.channel, eventId: body.event_id });
  }

  private async postNotice(target: ReplyTarget, text: string): Promise<void> {
    try {
      await this.options.writerContext.api.call('chat.postMessage', target, { channel: target.channel, thread_ts: target.threadTs, text: escapeSlackText(text) });
    } catch (error) {
      this.options.logger.warn({ err: error, team: target.team, channel: target.channel }, 'Posting a usage notice to Slack failed');
    }
  }
}
