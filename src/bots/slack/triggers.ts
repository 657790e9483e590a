// What turns a Slack event into a question: the slash command text, an
// app_mention, or a direct message. Helpers here parse the text, pick the
// session key and the reply thread, and drop events that must not be answered.
import { LRUCache } from 'lru-cache';
import type { AnswerProfile, SessionKey } from '../../engine/types.js';

/** A question and the answer profile chosen with it. */
export interface ParsedQuestion {
  question: string;
  profile: AnswerProfile;
}

/**
 * Turns Slack message text into the question: drops mentions of the bot,
 * shows other mentions and links as plain text, decodes Slack's `&amp;`,
 * `&lt;` and `&gt;`, and reads a leading `compact` as the compact profile.
 */
export function parseQuestion(text: string, botUserId?: string): ParsedQuestion {
  let plain = text;
  if (botUserId) plain = plain.replace(new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^>]*)?>`, 'g'), ' ');
  plain = plain
    .replace(/<([^<>|]+)\|([^<>]+)>/g, (_, target: string, label: string) => (/^https?:/.test(target) ? `${label} (${target})` : label))
    .replace(/<([@#!][^<>]*)>/g, '$1')
    .replace(/<(https?:[^<>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

  const compact = /^compact(?:\s+|$)/i.exec(plain);
  if (compact) return { question: plain.slice(compact[0].length).trim(), profile: 'compact' };
  return { question: plain, profile: 'normal' };
}

/** Session key of a Slack conversation: the thread when there is one (`channel:thread_ts`), else the channel. */
export function slackSessionKey(team: string | undefined, channel: string, user: string, threadTs?: string): SessionKey {
  return { platform: 'slack', team, channel: threadTs ? `${channel}:${threadTs}` : channel, user };
}

/** Fields of a Slack message event that decide whether it is answered. */
export interface MessageEventFields {
  type?: string;
  subtype?: string;
  channel_type?: string;
  bot_id?: string;
  user?: string;
  text?: string;
}

/**
 * True for a direct message from a person: channel_type `im`, no subtype
 * (edits, deletions, joins and bot messages all have one), no bot_id, and not
 * from the bot itself.
 */
export function isDirectQuestion(event: MessageEventFields, botUserId: string | undefined): boolean {
  if (event.channel_type !== 'im' || event.subtype !== undefined || event.bot_id !== undefined) return false;
  if (event.user === undefined || event.user === botUserId) return false;
  return typeof event.text === 'string';
}

/** Remembers delivered event ids, so that an event that Slack delivers again is answered once. */
export class SeenEvents {
  private readonly seen: LRUCache<string, true>;

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.seen = new LRUCache({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 60 * 60_000 });
  }

  /** Records `eventId`; returns false when it was seen before. Events without an id always count as new. */
  firstDelivery(eventId: string | undefined): boolean {
    if (eventId === undefined) return true;
    if (this.seen.has(eventId)) return false;
    this.seen.set(eventId, true);
    return true;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
