// Where an answer is written: a reply to a channel message, or the response
// to a `/ask` interaction. Both go over REST only, so answers keep streaming
// while the gateway reconnects. Every message and edit carries
// `allowed_mentions: { parse: [] }`, so generated text never pings anyone.
import { InteractionResponseType, MessageFlags, Routes, type APIAllowedMentions, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { channelEditLane, webhookEditLane } from './rest-observer.js';

/** Mentions in bot messages never ping: no users, roles or @everyone, and no ping of the replied-to author. */
export const noPings: APIAllowedMentions = Object.freeze({ parse: [], replied_user: false });

/** Destination of one answer's messages, which posts and edits them. */
export interface ReplyTarget {
  /** Edit-pacer lane of this target's edits. */
  readonly lane: string;
  readonly channelId: string;
  readonly guildId: string | undefined;
  /** Shows the first message (placeholder or deferred response); returns its id. */
  start(content: string): Promise<string>;
  /** Posts a continuation message for answers longer than one message; returns its id. */
  continue(content: string): Promise<string>;
  /** Replaces the content of a message that `start` or `continue` created. */
  edit(messageId: string, content: string): Promise<void>;
  /** Deletes a continuation message that the final answer no longer needs. */
  remove(messageId: string): Promise<void>;
  /** Shows the typing indicator, where the platform has one for this target. */
  typing(): Promise<void>;
}

/** Replies to a user's message in a channel, thread or DM. */
export class MessageReplyTarget implements ReplyTarget {
  readonly lane: string;

  constructor(
    private readonly rest: REST,
    readonly channelId: string,
    readonly guildId: string | undefined,
    private readonly questionMessageId: string,
  ) {
    this.lane = channelEditLane(channelId);
  }

  async start(content: string): Promise<string> {
    return this.post(content);
  }

  async continue(content: string): Promise<string> {
    // Continuations reply to the question too, so that each part shows which question it belongs to.
    return this.post(content);
  }

  async edit(messageId: string, content: string): Promise<void> {
    await this.rest.patch(Routes.channelMessage(this.channelId, messageId), { body: { content, allowed_mentions: noPings } });
  }

  async remove(messageId: string): Promise<void> {
    await this.rest.delete(Routes.channelMessage(this.channelId, messageId));
  }

  async typing(): Promise<void> {
    await this.rest.post(Routes.channelTyping(this.channelId));
  }

  // NOTE: Discord also limits message creation per channel (5 per 5 seconds in the stand-in's
  // model of it), and discord.js queues posts past that budget, so with more than five new
  // questions at once in one channel the later placeholders wait for the next window.
  private async post(content: string): Promise<string> {
    const body: RESTPostAPIChannelMessageJSONBody = {
      content,
      allowed_mentions: noPings,
      // Links in answers are references, not content: no previews.
      flags: MessageFlags.SuppressEmbeds,
      message_reference: {
        message_id: this.questionMessageId,
        channel_id: this.channelId,
        ...(this.guildId === undefined ? {} : { guild_id: this.guildId }),
        // Still answer when the question was deleted in the meantime.
        fail_if_not_exists: false,
      },
    };
    const message = (await this.rest.post(Routes.channelMessages(this.channelId), { body })) as { id: string };
    return message.id;
  }
}

/** Responds to a `/ask` interaction: a deferred response edited in place, then follow-ups. */
export class InteractionReplyTarget implements ReplyTarget {
  readonly lane: string;

  constructor(
    private readonly rest: REST,
    private readonly applicationId: string,
    private readonly interactionId: string,
    private readonly interactionToken: string,
    readonly channelId: string,
    readonly guildId: string | undefined,
  ) {
    this.lane = webhookEditLane(interactionToken);
  }

  /** Defers the response, which Discord shows as "thinking…" until the first edit; `content` is not shown. */
  async start(): Promise<string> {
    await this.rest.post(Routes.interactionCallback(this.interactionId, this.interactionToken), {
      body: { type: InteractionResponseType.DeferredChannelMessageWithSource },
      auth: false,
    });
    return '@original';
  }

  async continue(content: string): Promise<string> {
    const body = { content, allowed_mentions: noPings, flags: MessageFlags.SuppressEmbeds };
    const message = (await this.rest.post(Routes.webhook(this.applicationId, this.interactionToken), { body, auth: false })) as { id: string };
    return message.id;
  }

  async edit(messageId: string, content: string): Promise<void> {
    await this.rest.patch(Routes.webhookMessage(this.applicationId, this.interactionToken, messageId), {
      body: { content, allowed_mentions: noPings, flags: MessageFlags.SuppressEmbeds },
      auth: false,
    });
  }

  async remove(messageId: string): Promise<void> {
    await this.rest.delete(Routes.webhookMessage(this.applicationId, this.interactionToken, messageId), { auth: false });
  }

  /** Does nothing: the deferred response already shows that the bot is working. */
  async typing(): Promise<void> {}
}

/** Responds to an interaction with a message that only the user sees, e.g. a usage hint. */
export async function respondEphemeral(rest: REST, interactionId: string, interactionToken: string, content: string): Promise<void> {
  await rest.post(Routes.interactionCallback(interactionId, interactionToken), {
    body: { type: InteractionResponseType.ChannelMessageWithSource, data: { content, flags: MessageFlags.Ephemeral, allowed_mentions: noPings } },
    auth: false,
  });
}

/** Replies to a user's message with a short text, e.g. a usage hint. */
export async function replyBriefly(rest: REST, channelId: string, guildId: string | undefined, messageId: string, content: string): Promise<void> {
  await new MessageReplyTarget(rest, channelId, guildId, messageId).start(content);
}
