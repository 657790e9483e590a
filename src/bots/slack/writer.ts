// The writer seam between one answer and Slack. The answer runner feeds a
// writer the growing text and then the final answer; each writer decides how
// the text reaches Slack (edited message, stream, or response_url).
import type { types } from '@slack/bolt';
import type { AnswerSource } from '../../engine/types.js';
import type { Logger } from '../../observability/logger.js';
import { SlackApiError } from './errors.js';
import { minMessageChars, splitForSlack } from './format.js';
import type { SlackApi } from './web-api.js';

/** Complete answer to write: raw Markdown text and the sources to link under it. */
export interface FinishedAnswer {
  text: string;
  sources: AnswerSource[];
}

/** How one answer reaches Slack. */
export interface AnswerWriter {
  /** Posts the placeholder (or prepares the stream); throws `SlackApiError` when the channel takes no message. */
  begin(): Promise<void>;
  /** Records the latest partial text; it is sent when pacing allows. */
  update(text: string): void;
  /** Writes the complete answer, split over several messages when long. */
  finish(answer: FinishedAnswer): Promise<void>;
  /** Replaces the placeholder (or posts) with a short failure notice. */
  fail(notice: string): Promise<void>;
}

/** Dependencies shared by all writers. */
export interface WriterContext {
  api: SlackApi;
  logger: Logger;
  maxMessageChars: number;
  /** Minimum time between two live edits of one message, in milliseconds. */
  editIntervalMs: number;
}

/** Destination of an answer and the user who asked. */
export interface ReplyTarget {
  team: string;
  channel: string;
  user: string;
  /** Thread to reply in; without it the answer is a top-level message and long answers continue in its thread. */
  threadTs?: string;
  /** Block shown above the answer (the question of a slash command). */
  header?: types.KnownBlock;
}

/**
 * Sends `parts` in order with `send(part, index, last)`. When Slack rejects a
 * part as too long, that part is split in two halves and sent again, down to
 * parts of `minMessageChars`.
 */
export async function deliverParts(parts: string[], send: (part: string, index: number, last: boolean) => Promise<void>): Promise<void> {
  const queue = [...parts];
  let index = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    try {
      await send(part, index, queue.length === 0);
      index += 1;
    } catch (error) {
      if (!(error instanceof SlackApiError && error.tooLong) || part.length <= minMessageChars) throw error;
      const smaller = splitForSlack(part, Math.max(minMessageChars, Math.floor(part.length / 2)));
      if (smaller.length < 2) throw error;
      queue.unshift(...smaller);
    }
  }
}

/** Text of a live edit: the answer so far, cut to the first message with an ellipsis when longer. */
export function previewText(text: string, maxChars: number): string {
  const parts = splitForSlack(text, maxChars - 2);
  return parts.length > 1 ? `${parts[0]} …` : text;
}

/**
 * Workspaces where Slack refused the streaming methods. Once a workspace
 * refuses, its answers use chat.postMessage and chat.update until restart.
 */
export class StreamingSupport {
  private readonly refused = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  /** True unless the workspace refused streaming. */
  enabled(team: string): boolean {
    return !this.refused.has(team);
  }

  /** Turns streaming off for the workspace, logging the refusal once. */
  disable(team: string, code: string): void {
    if (this.refused.has(team)) return;
    this.refused.set(team, code);
    this.logger.info({ team, code }, 'Slack refused the streaming methods in this workspace; answering with chat.update from now on');
  }
}

/** Error codes that tell nothing about streaming support: transient failures and channel access. */
const transientCodes = new Set(['ratelimited', 'cancelled', 'request_failed', 'unexpected_error', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** True when `error` means Slack does not take the streaming methods here (unknown_method, not_allowed, invalid_arguments, …). */
export function isStreamingRefusal(error: SlackApiError): boolean {
  return !transientCodes.has(error.code) && !error.code.startsWith('http_') && !error.channelUnavailable;
}
