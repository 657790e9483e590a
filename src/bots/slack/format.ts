// Slack message payloads. The model writes Markdown, so answers go out in a
// `markdown` block (and as `markdown_text` when streamed) and Slack renders
// bold, links, lists and code. Generated text is escaped first so that it can
// never ping anyone or open a Slack link.
import type { types } from '@slack/bolt';
import type { AnswerSource } from '../../engine/types.js';
import { splitMessage } from '../shared/split-message.js';

/** Default maximum length of one answer message; Slack truncates long messages at around 4,000 characters. */
export const defaultMaxMessageChars = 3900;

/** Smallest part that the adapter still splits after Slack rejects a message as too long. */
export const minMessageChars = 200;

/** Maximum number of source links under an answer. */
export const maxSourceLinks = 5;

/** A Slack message body: notification text plus blocks. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** Notices that the adapter posts itself. */
export const notices = {
  placeholder: '_Searching the documentation…_',
  failed: 'Sorry, posting this answer to Slack failed. Please ask again in a moment.',
  internalError: 'Sorry, something went wrong while answering. Please ask again in a moment.',
  emptyAnswer: 'I have no answer to that. Please rephrase the question and ask again.',
  restarting: 'I am restarting right now. Please ask again in a minute.',
  shutdownCut: 'I had to stop this answer because I am restarting. Please ask again in a minute.',
  responseUrlCut: 'The rest of this answer did not fit: Slack allows only five replies to a slash command outside channels I am in. Invite me to the channel and ask again for the full answer.',
  emptyMention: 'Please ask a question after the mention, for example: "how do I add my docs?"',
} as const;

/** Ephemeral reply to a slash command without a question. */
export function usageHint(command: string): string {
  return [
    `Ask me a question about the documentation, for example: \`${command} how do I add my docs?\``,
    `Start with \`compact\` for a shorter answer: \`${command} compact how do I add my docs?\``,
  ].join('\n');
}

/**
 * Escapes `&`, `<` and `>` as Slack requires, so that `<!channel>`, `<!here>`,
 * `<@U…>` and `<url|label>` in generated text show as typed, and breaks
 * `@channel`, `@here` and `@everyone` with a zero-width space after the `@`.
 * NOTE: Slack documents this escaping for mrkdwn text. That `markdown` blocks
 * and `markdown_text` decode the entities the same way is assumed here and
 * was not checked against Slack itself.
 */
export function escapeSlackText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=(?:channel|here|everyone))/gi, '@\u200b');
}

/**
 * Length of the prefix of `text` that can be escaped on its own while more text
 * follows: a trailing `@` plus a few letters is held back, because the next
 * text may complete it to `@here`.
 */
export function escapableLength(text: string): number {
  const tail = /@[A-Za-z]{0,8}$/.exec(text);
  let end = tail ? tail.index : text.length;
  // Never end between the two halves of a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return end;
}

/**
 * Splits raw Markdown into parts whose escaped text is at most `maxChars`
 * long, cutting outside code blocks and links (see `splitMessage`).
 */
export function splitForSlack(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  for (const part of splitMessage(text, maxChars)) {
    const escapedLength = escapeSlackText(part).length;
    if (escapedLength <= maxChars || part.length <= minMessageChars) {
      parts.push(part);
      continue;
    }
    // Escaping made the part longer; split it again in proportion.
    const smaller = Math.max(minMessageChars, Math.floor((maxChars * part.length) / escapedLength) - 16);
    parts.push(...splitForSlack(part, smaller));
  }
  return parts;
}

/** Context block with up to five source links, or undefined when there are no sources. */
export function sourcesBlock(sources: AnswerSource[]): types.ContextBlock | undefined {
  const listed = [...sources].sort((a, b) => a.index - b.index).slice(0, maxSourceLinks);
  if (listed.length === 0) return undefined;

  const links = listed.map((source) => {
    const label = escapeSlackText(truncate(`[${source.index}] ${source.heading || source.path}`, 80)).replace(/\|/g, '¦');
    const url = source.url === undefined ? undefined : slackLinkUrl(source.url);
    if (url !== undefined) return `<${url}|${label}>`;
    return source.heading ? `${label} (${escapeSlackText(source.path)})` : label;
  });
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `*Sources:* ${links.join('  ·  ')}` }] };
}

/** Context block quoting who asked what, for answers to slash commands (the command itself is not shown in Slack). */
export function questionBlock(userName: string | undefined, question: string): types.ContextBlock {
  const asker = userName ? `*${escapeSlackText(truncate(userName, 60))}* asked: ` : 'Question: ';
  return { type: 'context', elements: [{ type: 'mrkdwn', text: asker + escapeSlackText(truncate(question, 300)) }] };
}

/** Message showing `body` (raw Markdown, escaped here) with optional header and sources blocks. */
export function answerMessage(body: string, extra: { header?: types.KnownBlock; sources?: AnswerSource[] } = {}): SlackMessage {
  const empty = body.trim() === '';
  const blocks: types.KnownBlock[] = [];
  if (extra.header) blocks.push(extra.header);
  blocks.push({ type: 'markdown', text: empty ? notices.placeholder : escapeSlackText(body) });
  const sources = extra.sources ? sourcesBlock(extra.sources) : undefined;
  if (sources) blocks.push(sources);
  return { text: empty ? notices.placeholder : notificationText(body), blocks };
}

/** Message with plain text only, for notices. */
export function noticeMessage(text: string): { text: string } {
  return { text: escapeSlackText(text) };
}

/** First line of the answer for notifications, escaped, about 150 characters. */
function notificationText(body: string): string {
  const firstLine = body.split('\n').find((line) => line.trim() !== '') ?? body;
  return escapeSlackText(truncate(firstLine.trim(), 150));
}

/** Makes `url` safe inside `<url|label>`: http(s) only, `|`, `<`, `>` and spaces percent-encoded, `&` escaped. */
function slackLinkUrl(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/[|<> ]/g, (c) => encodeURIComponent(c)).replace(/&/g, '&amp;');
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = escapableLengthAt(text, max - 1);
  return `${text.slice(0, cut)}…`;
}

// Cuts at `max` but not inside a surrogate pair.
function escapableLengthAt(text: string, max: number): number {
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}
