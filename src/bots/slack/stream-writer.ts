// Answer as a Slack text stream (chat.startStream, chat.appendStream,
// chat.stopStream), for replies in a thread. The stream starts with the first
// text, appends only new text at the edit pace, and stops with the sources.
// When Slack refuses the streaming methods the workspace is marked and the
// answer continues with chat.postMessage and chat.update.
import { SlackApiError } from './errors.js';
import { escapableLength, escapeSlackText, sourcesBlock, splitForSlack } from './format.js';
import { LiveEdits } from './live-edits.js';
import { UpdateWriter } from './update-writer.js';
import { messageTs, toSlackApiError } from './web-api.js';
import { isStreamingRefusal, type AnswerWriter, type FinishedAnswer, type ReplyTarget, type StreamingSupport, type WriterContext } from './writer.js';

/** Target of a stream: always a thread. */
export type StreamTarget = ReplyTarget & { threadTs: string };

/** Writes an answer with Slack's streaming methods, falling back to `UpdateWriter`. */
export class StreamWriter implements AnswerWriter {
  private ts: string | undefined;
  /** Raw text already in the stream, and its escaped length. */
  private streamedRaw = '';
  private streamedChars = 0;
  /** Set when an append failed: the final answer then replaces the message. */
  private broken = false;
  private startError: SlackApiError | undefined;
  private fallback: UpdateWriter | undefined;
  private latest = '';
  private readonly edits: LiveEdits;

  constructor(
    private readonly context: WriterContext,
    private readonly target: StreamTarget,
    private readonly support: StreamingSupport,
  ) {
    this.edits = new LiveEdits((text, signal) => this.flush(text, signal), context.editIntervalMs);
  }

  async begin(): Promise<void> {
    // The stream starts with the first text, as Slack's own stream helper does.
    this.edits.start();
  }

  update(text: string): void {
    this.latest = text;
    if (this.fallback) this.fallback.update(text);
    else this.edits.set(text);
  }

  async finish(answer: FinishedAnswer): Promise<void> {
    await this.edits.close();
    if (this.startError) throw this.startError;
    if (this.fallback) return this.fallback.finish(answer);

    // Nothing streamed yet (a cached answer or an early error): post it as a message.
    if (this.ts === undefined) {
      const writer = new UpdateWriter(this.context, this.target);
      await writer.begin();
      return writer.finish(answer);
    }

    if (await this.stopWithRest(answer)) return;

    // The final text differs from what was streamed, or is too long: end the
    // stream and replace the message with the final text.
    await this.stopQuietly();
    await new UpdateWriter(this.context, this.target, this.ts).finish(answer);
  }

  async fail(notice: string): Promise<void> {
    await this.edits.close();
    if (this.fallback) return this.fallback.fail(notice);
    if (this.ts !== undefined) await this.stopQuietly();
    await new UpdateWriter(this.context, this.target, this.ts).fail(notice);
  }

  // Appends the new text since the last flush. Returns false to end live edits.
  private async flush(text: string, signal: AbortSignal): Promise<boolean> {
    // The engine never rewrites streamed text, but if it did, the final answer fixes it.
    if (!text.startsWith(this.streamedRaw)) return true;
    const segment = text.slice(this.streamedRaw.length, escapableLength(text));
    const escaped = escapeSlackText(segment);
    // Stop appending before the message limit; the final answer splits the rest.
    if (segment === '' || this.streamedChars + escaped.length > this.context.maxMessageChars) return true;

    const method = this.ts === undefined ? 'chat.startStream' : 'chat.appendStream';
    try {
      if (this.ts === undefined) {
        const result = await this.context.api.call('chat.startStream', this.target, {
          channel: this.target.channel,
          thread_ts: this.target.threadTs,
          recipient_team_id: this.target.team,
          recipient_user_id: this.target.user,
          markdown_text: escaped,
        }, signal);
        this.ts = messageTs('chat.startStream', this.target.team, result);
      } else {
        await this.context.api.call('chat.appendStream', this.target, { channel: this.target.channel, ts: this.ts, markdown_text: escaped }, signal);
      }
      this.streamedRaw += segment;
      this.streamedChars += escaped.length;
      return true;
    } catch (error) {
      return this.handleFlushError(toSlackApiError(method, this.target.team, error));
    }
  }

  private async handleFlushError(error: SlackApiError): Promise<boolean> {
    // Rate limited after the bounded retries: skip this edit, the next one carries the text.
    // Cancelled: the final write has taken over.
    if (error.rateLimited || error.cancelled) return true;
    const refused = isStreamingRefusal(error);
    if (refused) this.support.disable(this.target.team, error.code);

    if (this.ts === undefined && refused) {
      await this.switchToFallback();
      return false;
    }
    if (this.ts === undefined) {
      this.startError = error;
      return false;
    }
    this.context.logger.warn({ err: error, method: error.method, code: error.code, team: this.target.team, channel: this.target.channel }, 'Appending to a Slack stream failed; the final answer will replace the message');
    this.broken = true;
    return false;
  }

  private async switchToFallback(): Promise<void> {
    const fallback = new UpdateWriter(this.context, this.target);
    try {
      await fallback.begin();
      this.fallback = fallback;
      fallback.update(this.latest);
    } catch (error) {
      this.startError = toSlackApiError('chat.postMessage', this.target.team, error);
    }
  }

  // Stops the stream with the rest of the answer and the sources. Returns false when the message must be replaced instead.
  private async stopWithRest(answer: FinishedAnswer): Promise<boolean> {
    const parts = splitForSlack(answer.text, this.context.maxMessageChars);
    if (this.broken || parts.length > 1 || !answer.text.startsWith(this.streamedRaw)) return false;

    const rest = answer.text.slice(this.streamedRaw.length);
    const sources = sourcesBlock(answer.sources);
    try {
      await this.context.api.call('chat.stopStream', this.target, {
        channel: this.target.channel,
        ts: this.ts,
        ...(rest === '' ? {} : { markdown_text: escapeSlackText(rest) }),
        ...(sources ? { blocks: [sources] } : {}),
      });
      return true;
    } catch (error) {
      const failure = toSlackApiError('chat.stopStream', this.target.team, error);
      if (isStreamingRefusal(failure)) this.support.disable(this.target.team, failure.code);
      this.context.logger.warn({ err: failure, method: failure.method, code: failure.code, team: this.target.team }, 'Stopping a Slack stream failed; replacing the message with the final answer');
      return false;
    }
  }

  // Ends the stream without text; a stream that is already stopped is fine.
  private async stopQuietly(): Promise<void> {
    try {
      await this.context.api.call('chat.stopStream', this.target, { channel: this.target.channel, ts: this.ts });
    } catch (error) {
      this.context.logger.debug({ err: error, team: this.target.team }, 'chat.stopStream before replacing the message failed');
    }
  }
}
