// Messages and interactions that the stand-in stores, so that tests can read
// what the bot posted and every version of it.
import { MessageType } from 'discord.js';
import { channelTypeOf, nextSnowflake, userPayload, type StandinIds } from './fixtures.js';

/** How a stored message came to be. */
export type StoredMessageKind = 'channel' | 'interaction-original' | 'followup';

/** A message posted by the bot, with every content it had. */
export interface StoredMessage {
  id: string;
  kind: StoredMessageKind;
  channelId: string;
  guildId: string | undefined;
  content: string;
  /** Every content in order: the create, then each edit. */
  history: string[];
  flags: number;
  /** `allowed_mentions` of the create and of each edit, in order. */
  allowedMentions: unknown[];
  /** `message_reference` of the create, when the message is a reply. */
  reference: Record<string, unknown> | undefined;
  /** Token of the interaction that the message belongs to. */
  interactionToken: string | undefined;
  deleted: boolean;
  createdAt: number;
}

/** An interaction that the stand-in dispatched, and how the bot responded to it. */
export interface StoredInteraction {
  id: string;
  token: string;
  channelId: string;
  guildId: string | undefined;
  /** Callback type that the bot responded with (5 = deferred), when it did. */
  callbackType: number | undefined;
  originalMessageId: string | undefined;
}

/** The message store of one stand-in. */
export class MessageStore {
  readonly messages = new Map<string, StoredMessage>();
  readonly interactions = new Map<string, StoredInteraction>();

  constructor(private readonly ids: StandinIds) {}

  /** Stores a new bot message and returns it. */
  create(fields: Pick<StoredMessage, 'kind' | 'channelId' | 'guildId' | 'reference' | 'interactionToken'> & { body: Record<string, unknown> }): StoredMessage {
    const content = typeof fields.body.content === 'string' ? fields.body.content : '';
    const message: StoredMessage = {
      id: nextSnowflake(),
      kind: fields.kind,
      channelId: fields.channelId,
      guildId: fields.guildId,
      content,
      history: [content],
      flags: typeof fields.body.flags === 'number' ? fields.body.flags : 0,
      allowedMentions: [fields.body.allowed_mentions],
      reference: fields.reference,
      interactionToken: fields.interactionToken,
      deleted: false,
      createdAt: Date.now(),
    };
    this.messages.set(message.id, message);
    return message;
  }

  /** Applies an edit body to a stored message. */
  edit(message: StoredMessage, body: Record<string, unknown>): void {
    if (typeof body.content === 'string') message.content = body.content;
    if (typeof body.flags === 'number') message.flags = body.flags;
    message.history.push(message.content);
    message.allowedMentions.push(body.allowed_mentions);
  }

  /** Returns the live (not deleted) message with `id`, optionally only in `channelId`. */
  find(id: string, channelId?: string): StoredMessage | undefined {
    const message = this.messages.get(id);
    if (message === undefined || message.deleted) return undefined;
    if (channelId !== undefined && message.channelId !== channelId) return undefined;
    return message;
  }

  /** Messages in creation order, optionally filtered. */
  list(filter: (message: StoredMessage) => boolean = () => true): StoredMessage[] {
    return [...this.messages.values()].filter(filter).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** The message object that the API returns for a stored message. */
  toPayload(message: StoredMessage): Record<string, unknown> {
    const payload: Record<string, unknown> = {
      id: message.id,
      channel_id: message.channelId,
      channel_type: channelTypeOf(this.ids, message.channelId),
      author: userPayload(this.ids.botUser, 'ragbot', true),
      content: message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.history.length > 1 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: message.reference ? MessageType.Reply : MessageType.Default,
      flags: message.flags,
      components: [],
    };
    if (message.guildId !== undefined) payload.guild_id = message.guildId;
    if (message.reference) payload.message_reference = message.reference;
    if (message.interactionToken !== undefined) {
      payload.webhook_id = this.ids.application;
      payload.application_id = this.ids.application;
    }
    return payload;
  }
}
