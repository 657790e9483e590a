// Fixed world of the Discord stand-in: one bot application, one guild with a
// text channel, a thread and the bot's managed role, a human asker, another
// bot and a DM channel. Payload builders return objects in the shape of
// Discord API v10, as discord.js v14 reads them.
import { ApplicationCommandOptionType, ApplicationCommandType, ChannelType, InteractionType, MessageType, PermissionFlagsBits } from 'discord.js';

/** Discord's epoch (2015-01-01) in milliseconds, the base of snowflake timestamps. */
const discordEpoch = 1_420_070_400_000n;
let snowflakeIncrement = 0n;

/** Creates a new snowflake id from the current time and a process-wide counter. */
export function nextSnowflake(): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) % 4096n;
  return (((BigInt(Date.now()) - discordEpoch) << 22n) | snowflakeIncrement).toString();
}

/** Ids of everything in the stand-in's world. */
export interface StandinIds {
  application: string;
  botUser: string;
  guild: string;
  channel: string;
  otherChannel: string;
  thread: string;
  botRole: string;
  everyoneRole: string;
  asker: string;
  otherUser: string;
  otherBot: string;
  dmChannel: string;
}

/** Creates a fresh set of ids. */
export function createIds(): StandinIds {
  const guild = nextSnowflake();
  return {
    application: nextSnowflake(),
    botUser: nextSnowflake(),
    guild,
    channel: nextSnowflake(),
    otherChannel: nextSnowflake(),
    thread: nextSnowflake(),
    botRole: nextSnowflake(),
    // Discord gives @everyone the guild's own id.
    everyoneRole: guild,
    asker: nextSnowflake(),
    otherUser: nextSnowflake(),
    otherBot: nextSnowflake(),
    dmChannel: nextSnowflake(),
  };
}

/** A user object as the API returns it. */
export function userPayload(id: string, username: string, bot = false): Record<string, unknown> {
  return { id, username, discriminator: '0', global_name: username, avatar: null, bot, flags: 0, public_flags: 0 };
}

/** Display name of each known user id. */
export function userName(ids: StandinIds, id: string): string {
  if (id === ids.botUser) return 'ragbot';
  if (id === ids.asker) return 'asker';
  if (id === ids.otherUser) return 'other-user';
  if (id === ids.otherBot) return 'other-bot';
  return `user-${id.slice(-4)}`;
}

/** Whether a user id belongs to a bot account. */
export function isBotUser(ids: StandinIds, id: string): boolean {
  return id === ids.botUser || id === ids.otherBot;
}

/** A guild member object; `withUser` false gives the form embedded in MESSAGE_CREATE. */
export function memberPayload(ids: StandinIds, userId: string, withUser = true): Record<string, unknown> {
  const roles = userId === ids.botUser ? [ids.botRole] : [];
  const member: Record<string, unknown> = {
    roles,
    nick: null,
    avatar: null,
    joined_at: new Date(0).toISOString(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  };
  if (withUser) member.user = userPayload(userId, userName(ids, userId), isBotUser(ids, userId));
  return member;
}

/** Permission bits of @everyone: view, send, send in threads, read history. */
const everyonePermissions =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.UseApplicationCommands;

/** Permission bits that the stand-in reports for the bot in interactions. */
export const botPermissions = everyonePermissions.toString();

/** A permission overwrite that denies `deny` (a permission bit field) to a role. */
export interface RoleOverwrite {
  roleId: string;
  deny: bigint;
}

/** A guild text channel object; `general` is the main channel and `help` the other one. */
export function textChannelPayload(ids: StandinIds, id: string, overwrites: RoleOverwrite[] = []): Record<string, unknown> {
  return {
    id,
    type: ChannelType.GuildText,
    guild_id: ids.guild,
    name: id === ids.channel ? 'general' : 'help',
    position: id === ids.channel ? 0 : 1,
    permission_overwrites: overwrites.map((overwrite) => ({ id: overwrite.roleId, type: 0, allow: '0', deny: overwrite.deny.toString() })),
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
    flags: 0,
  };
}

/** The GUILD_CREATE payload: channels, a thread, roles incl. the bot's managed role, members and presences. */
export function guildCreatePayload(ids: StandinIds, options: { askerOnMobile: boolean }): Record<string, unknown> {
  const role = (id: string, name: string, permissions: bigint, tags?: Record<string, unknown>) => ({
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: id === ids.everyoneRole ? 0 : 1,
    permissions: permissions.toString(),
    managed: tags !== undefined,
    mentionable: false,
    flags: 0,
    ...(tags ? { tags } : {}),
  });
  const presences = options.askerOnMobile
    ? [{ user: { id: ids.asker }, guild_id: ids.guild, status: 'online', activities: [], client_status: { mobile: 'online' } }]
    : [];

  return {
    id: ids.guild,
    name: 'Stand-in Guild',
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: ids.otherUser,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    joined_at: new Date(0).toISOString(),
    large: false,
    unavailable: false,
    member_count: 4,
    emojis: [],
    stickers: [],
    roles: [
      role(ids.everyoneRole, '@everyone', everyonePermissions),
      role(ids.botRole, 'ragbot', 0n, { bot_id: ids.botUser }),
    ],
    members: [ids.botUser, ids.asker, ids.otherUser, ids.otherBot].map((id) => memberPayload(ids, id)),
    channels: [textChannelPayload(ids, ids.channel), textChannelPayload(ids, ids.otherChannel)],
    threads: [
      {
        id: ids.thread,
        type: ChannelType.PublicThread,
        guild_id: ids.guild,
        parent_id: ids.channel,
        owner_id: ids.asker,
        name: 'a thread',
        last_message_id: null,
        rate_limit_per_user: 0,
        message_count: 0,
        member_count: 2,
        flags: 0,
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date(0).toISOString(), locked: false },
      },
    ],
    presences,
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** Channel type of a known channel id: DM, public thread or guild text. */
export function channelTypeOf(ids: StandinIds, channelId: string): ChannelType {
  if (channelId === ids.dmChannel) return ChannelType.DM;
  if (channelId === ids.thread) return ChannelType.PublicThread;
  return ChannelType.GuildText;
}

/** Fields of a message that a test posts as a user. */
export interface UserMessage {
  id: string;
  channelId: string;
  guildId: string | undefined;
  authorId: string;
  content: string;
}

/** The MESSAGE_CREATE payload of a user's message, with mentions parsed from `<@id>`, `<@!id>` and `<@&id>`. */
export function messageCreatePayload(ids: StandinIds, message: UserMessage): Record<string, unknown> {
  const mentionedUsers = [...message.content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1] as string);
  const mentionedRoles = [...message.content.matchAll(/<@&(\d+)>/g)].map((match) => match[1] as string);
  const payload: Record<string, unknown> = {
    id: message.id,
    channel_id: message.channelId,
    channel_type: channelTypeOf(ids, message.channelId),
    author: userPayload(message.authorId, userName(ids, message.authorId), isBotUser(ids, message.authorId)),
    content: message.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [...new Set(mentionedUsers)].map((id) => userPayload(id, userName(ids, id), isBotUser(ids, id))),
    mention_roles: [...new Set(mentionedRoles)],
    attachments: [],
    embeds: [],
    pinned: false,
    type: MessageType.Default,
    flags: 0,
    components: [],
  };
  if (message.guildId !== undefined) {
    payload.guild_id = message.guildId;
    payload.member = memberPayload(ids, message.authorId, false);
  }
  return payload;
}

/** Fields of a `/ask` invocation that a test makes as a user. */
export interface AskInvocation {
  id: string;
  token: string;
  commandId: string;
  channelId: string;
  guildId: string | undefined;
  userId: string;
  question: string;
  compact: boolean | undefined;
}

/** The INTERACTION_CREATE payload of a `/ask` chat-input command. */
export function interactionCreatePayload(ids: StandinIds, invocation: AskInvocation): Record<string, unknown> {
  const options: Array<Record<string, unknown>> = [{ name: 'question', type: ApplicationCommandOptionType.String, value: invocation.question }];
  if (invocation.compact !== undefined) options.push({ name: 'compact', type: ApplicationCommandOptionType.Boolean, value: invocation.compact });

  const inGuild = invocation.guildId !== undefined;
  const user = userPayload(invocation.userId, userName(ids, invocation.userId));
  const payload: Record<string, unknown> = {
    id: invocation.id,
    application_id: ids.application,
    type: InteractionType.ApplicationCommand,
    data: { id: invocation.commandId, name: 'ask', type: ApplicationCommandType.ChatInput, options, ...(inGuild ? { guild_id: invocation.guildId } : {}) },
    channel: inGuild
      ? { id: invocation.channelId, type: channelTypeOf(ids, invocation.channelId), guild_id: invocation.guildId, name: 'general', flags: 0 }
      : { id: invocation.channelId, type: ChannelType.DM, flags: 0, recipients: [user] },
    channel_id: invocation.channelId,
    token: invocation.token,
    version: 1,
    app_permissions: botPermissions,
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: inGuild ? { '0': invocation.guildId } : { '1': invocation.userId },
    context: inGuild ? 0 : 1,
    attachment_size_limit: 10_485_760,
  };
  if (inGuild) {
    payload.guild_id = invocation.guildId;
    payload.guild_locale = 'en-US';
    payload.member = { ...memberPayload(ids, invocation.userId), permissions: botPermissions };
  } else {
    payload.user = user;
  }
  return payload;
}
