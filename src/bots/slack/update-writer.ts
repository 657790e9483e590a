// Answer as a posted message that is edited while the answer grows: a
// placeholder via chat.postMessage, paced chat.update calls with the latest
// text, and a final chat.update with the complete answer. Parts beyond the
// first message continue as replies in the thread.
import { SlackApiError } from './errors.js';
import { answerMessage, noticeMessage, splitForSlack } from './format.js';
import { LiveEdits } from './live-edits.js';
import { messageTs } from './web-api.js';
import { deliverParts, previewText, type AnswerWriter, type FinishedAnswer, type ReplyTarget, type WriterContext } from './writer.js';

/** Writes an answer with chat.postMessage and paced chat.update. */
export class UpdateWriter implements AnswerWriter {
  private ts: string | undefined;
  private lastPreview = '';
  private readonly edits: LiveEdits;

  /** With `existingTs`, edits that message (a stopped stream) instead of posting a placeholder. */
  constructor(
    private readonly context: WriterContext,
    private readonly target: ReplyTarget,
    existingTs?: string,
  ) {
    this.ts = existingTs;
    this.edits = new LiveEdits((text, signal) => this.sendPreview(text, signal), context.editIntervalMs);
  }

  /** Timestamp of the answer message, once posted. */
  get messageTs(): string | undefined {
    return this.ts;
  }

  async begin(): Promise<void> {
    if (this.ts === undefined) {
      const result = await this.context.api.call('chat.postMessage', this.target, {
        channel: this.target.channel,
        thread_ts: this.target.threadTs,
        ...answerMessage('', { header: this.target.header }),
        unfurl_links: false,
        unfurl_media: false,
      });
      this.ts = messageTs('chat.postMessage', this.target.team, result);
    }
    this.edits.start();
  }

  update(text: string): void {
    this.edits.set(text);
  }

  async finish(answer: FinishedAnswer): Promise<void> {
    await this.edits.close();
    const ts = this.requireTs('chat.update');
    const parts = splitForSlack(answer.text, this.context.maxMessageChars);

    await deliverParts(parts, async (part, index, last) => {
      const message = answerMessage(part, { header: index === 0 ? this.target.header : undefined, sources: last ? answer.sources : undefined });
      if (index === 0) {
        await this.context.api.call('chat.update', this.target, { channel: this.target.channel, ts, ...message });
        return;
      }
      await this.context.api.call('chat.postMessage', this.target, {
        channel: this.target.channel,
        thread_ts: this.target.threadTs ?? ts,
        ...message,
        unfurl_links: false,
        unfurl_media: false,
      });
    });
  }

  async fail(notice: string): Promise<void> {
    await this.edits.close();
    if (this.ts !== undefined) {
      await this.context.api.call('chat.update', this.target, { channel: this.target.channel, ts: this.ts, ...noticeMessage(notice), blocks: [] });
      return;
    }
    await this.context.api.call('chat.postMessage', this.target, { channel: this.target.channel, thread_ts: this.target.threadTs, ...noticeMessage(notice) });
  }

  // One live edit. Rate limits and oversize previews skip the edit; other errors end live edits.
  private async sendPreview(text: string, signal: AbortSignal): Promise<boolean> {
    const preview = previewText(text, this.context.maxMessageChars);
    if (preview === this.lastPreview) return true;
    try {
      const ts = this.requireTs('chat.update');
      await this.context.api.call('chat.update', this.target, { channel: this.target.channel, ts, ...answerMessage(preview, { header: this.target.header }) }, signal);
      this.lastPreview = preview;
      return true;
    } catch (error) {
      if (error instanceof SlackApiError && (error.rateLimited || error.tooLong || error.cancelled)) return true;
      const code = error instanceof SlackApiError ? error.code : 'unexpected_error';
      this.context.logger.warn({ err: error, method: 'chat.update', code, team: this.target.team, channel: this.target.channel }, 'Live edit of a Slack answer failed; only the final answer will be written');
      return false;
    }
  }

  private requireTs(method: string): string {
    if (this.ts === undefined) throw new SlackApiError(method, 'no_message', { team: this.target.team });
    return this.ts;
  }
}
