// Which Discord messages are questions for the bot, and what the question is.
// A message is a question when it mentions the bot user (`<@id>` or the
// older `<@!id>`), mentions the bot's managed role (`<@&id>`), or is a DM.
// Messages from bots (the bot itself included), webhooks and the system are
// never questions.
import type { GuildMember, Message } from 'discord.js';
import type { AnswerProfile } from '../../engine/types.js';

/** Reason a message counts as a question. */
export type TriggerKind = 'mention' | 'role_mention' | 'direct_message';

/** A message that is a question for the bot. */
export interface MessageTrigger {
  kind: TriggerKind;
  /** The message text without the bot's mentions, trimmed; empty when only the mention was sent. */
  question: string;
}

/** The parts of a message that `parseTrigger` reads. */
export interface TriggerInput {
  content: string;
  authorIsBot: boolean;
  /** Set for messages sent by a webhook or Discord itself. */
  fromWebhookOrSystem: boolean;
  isDirectMessage: boolean;
  botUserId: string;
  /** Id of the bot's managed role in the message's guild, when it has one. */
  botRoleId: string | undefined;
  /** Display names of other users, roles and channels mentioned in the message, by id. */
  mentionNames?: Map<string, string>;
}

/** Returns the trigger of a message, or undefined when the message is not a question for the bot. */
export function parseTrigger(input: TriggerInput): MessageTrigger | undefined {
  if (input.authorIsBot || input.fromWebhookOrSystem) return undefined;

  // A mention and the spaces around it become one space, so the rest of the text (code included) keeps its layout.
  const userMention = new RegExp(`[ \\t]*<@!?${input.botUserId}>[ \\t]*`, 'g');
  const roleMention = input.botRoleId === undefined ? undefined : new RegExp(`[ \\t]*<@&${input.botRoleId}>[ \\t]*`, 'g');

  let kind: TriggerKind | undefined;
  if (input.content.search(userMention) >= 0) kind = 'mention';
  else if (roleMention !== undefined && input.content.search(roleMention) >= 0) kind = 'role_mention';
  else if (input.isDirectMessage) kind = 'direct_message';
  if (kind === undefined) return undefined;

  let question = input.content.replace(userMention, ' ');
  if (roleMention) question = question.replace(roleMention, ' ');
  return { kind, question: replaceOtherMentions(question, input.mentionNames).trim() };
}

/**
 * Replaces the remaining mentions with plain names, so retrieval sees words
 * instead of ids: `<@id>` becomes `@name`, `<#id>` becomes `#name`, and
 * `@everyone`, `@here` and unknown ids are dropped.
 */
function replaceOtherMentions(text: string, names: Map<string, string> = new Map()): string {
  return text
    .replace(/[ \t]*@(?:everyone|here)\b[ \t]*/g, ' ')
    .replace(/[ \t]*<(@[!&]?|#)(\d+)>[ \t]*/g, (_match, sigil: string, id: string) => {
      const name = names.get(id);
      return name === undefined ? ' ' : ` ${sigil.startsWith('#') ? '#' : '@'}${name} `;
    });
}

/** Reads a discord.js message into a `TriggerInput`. */
export function triggerInputOf(message: Message, botUserId: string): TriggerInput {
  return {
    content: message.content,
    authorIsBot: message.author.bot,
    fromWebhookOrSystem: message.webhookId !== null || message.system,
    isDirectMessage: message.guildId === null,
    botUserId,
    botRoleId: message.guild?.roles.botRoleFor(botUserId)?.id,
    mentionNames: mentionNamesOf(message),
  };
}

/** Collects the display names of users, roles and channels that a message mentions. */
function mentionNamesOf(message: Message): Map<string, string> {
  const names = new Map<string, string>();
  for (const user of message.mentions.users.values()) names.set(user.id, message.mentions.members?.get(user.id)?.displayName ?? user.globalName ?? user.username);
  for (const role of message.mentions.roles.values()) names.set(role.id, role.name);
  for (const channel of message.mentions.channels.values()) if ('name' in channel && channel.name) names.set(channel.id, channel.name);
  return names;
}

/** Returns `compact` when the member is online on a phone (needs the GuildPresences intent), else `normal`. */
export function profileOf(member: GuildMember | null | undefined, compactRequested = false): AnswerProfile {
  if (compactRequested) return 'compact';
  return member?.presence?.clientStatus?.mobile === undefined ? 'normal' : 'compact';
}
