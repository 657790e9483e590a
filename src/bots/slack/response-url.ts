// Fallback for slash commands in channels the bot is not in: Slack's
// response_url takes at most five posts within 30 minutes, so the answer gets
// a placeholder and then the final text only (replace_original), with no live
// edits in between.
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { ResponseUrlError, SlackApiError } from './errors.js';
import { answerMessage, noticeMessage, notices, splitForSlack } from './format.js';
import { deliverParts, type AnswerWriter, type FinishedAnswer, type ReplyTarget } from './writer.js';

/** Posts allowed per response_url, as Slack documents it. */
export const responseUrlMaxPosts = 5;

/** Options of `ResponseUrlClient`. */
export interface ResponseUrlClientOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Timeout of one post, in milliseconds. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** Posts JSON to response URLs with a timeout and one retry after a network error or HTTP 5xx. */
export class ResponseUrlClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ResponseUrlClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * Posts `body`, and once more after a network error or HTTP 5xx when
   * `maxAttempts` allows. Calls `onAttempt` before each attempt, because
   * every attempt may count against Slack's limit of posts.
   */
  async post(url: string, body: Record<string, unknown>, options: { maxAttempts: number; onAttempt: () => void }): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      options.onAttempt();
      const failure = await this.postOnce(url, body);
      this.options.metrics?.platformCalls.inc({ platform: 'slack', method: 'response_url', status: failure ? String(failure.status) : 'ok' });
      if (failure === undefined) return;

      const transient = failure.status === 0 || failure.status >= 500;
      if (!transient || attempt >= Math.min(2, options.maxAttempts)) throw failure;
      this.options.logger.warn({ status: failure.status, attempt }, 'Posting to a slash command response_url failed; retrying once');
    }
  }

  private async postOnce(url: string, body: Record<string, unknown>): Promise<ResponseUrlError | undefined> {
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await response.text();
      return response.ok ? undefined : new ResponseUrlError(response.status, text);
    } catch (error) {
      return new ResponseUrlError(0, '', { cause: error });
    }
  }
}

/** Writes an answer through a slash command's response_url within its five posts. */
export class ResponseUrlWriter implements AnswerWriter {
  private posts = 0;

  constructor(
    private readonly client: ResponseUrlClient,
    private readonly responseUrl: string,
    private readonly target: Pick<ReplyTarget, 'header'>,
    private readonly maxMessageChars: number,
  ) {}

  async begin(): Promise<void> {
    await this.post({ response_type: 'in_channel', ...answerMessage('', { header: this.target.header }) });
  }

  /** NOTE: no live edits here, because each edit would use one of the five posts. */
  update(): void {}

  async finish(answer: FinishedAnswer): Promise<void> {
    const allowed = responseUrlMaxPosts - this.posts;
    let parts = splitForSlack(answer.text, this.maxMessageChars);
    if (parts.length > allowed) {
      // Leave room for the note that says the answer was cut.
      const note = `\n\n_${notices.responseUrlCut}_`;
      parts = splitForSlack(answer.text, this.maxMessageChars - note.length - 16).slice(0, allowed);
      parts[parts.length - 1] += note;
    }

    await deliverParts(parts, async (part, index, last) => {
      const message = answerMessage(part, { header: index === 0 ? this.target.header : undefined, sources: last ? answer.sources : undefined });
      await this.post({ response_type: 'in_channel', replace_original: index === 0 && this.posts > 0, ...message });
    });
  }

  async fail(notice: string): Promise<void> {
    if (this.posts >= responseUrlMaxPosts) return;
    const replacing = this.posts > 0;
    await this.post({ response_type: replacing ? 'in_channel' : 'ephemeral', replace_original: replacing, ...noticeMessage(notice) });
  }

  private async post(body: Record<string, unknown>): Promise<void> {
    const left = responseUrlMaxPosts - this.posts;
    if (left <= 0) throw new ResponseUrlError(0, 'no posts left on this response_url');
    await this.client.post(this.responseUrl, body, { maxAttempts: left, onAttempt: () => (this.posts += 1) });
  }
}

/**
 * Writes a slash command's answer in the channel, or through the command's
 * response_url when the bot cannot post there (not a member, no access).
 */
export class SlashCommandWriter implements AnswerWriter {
  private active: AnswerWriter;
  private latest = '';

  constructor(
    channelWriter: AnswerWriter,
    private readonly responseUrlWriter: () => AnswerWriter,
    private readonly logger: Logger,
  ) {
    this.active = channelWriter;
  }

  async begin(): Promise<void> {
    try {
      await this.active.begin();
    } catch (error) {
      if (!(error instanceof SlackApiError && error.channelUnavailable)) throw error;
      this.logger.info({ code: error.code }, 'The bot cannot post in this channel; answering through the response_url');
      this.active = this.responseUrlWriter();
      await this.active.begin();
      this.active.update(this.latest);
    }
  }

  update(text: string): void {
    this.latest = text;
    this.active.update(text);
  }

  finish(answer: FinishedAnswer): Promise<void> {
    return this.active.finish(answer);
  }

  fail(notice: string): Promise<void> {
    return this.active.fail(notice);
  }
}
