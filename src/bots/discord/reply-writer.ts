// Writes one streamed answer into as many Discord messages as it needs.
// The rendered text is split into parts of at most 2000 characters; each
// part is one message. While streaming, every part but the last is full, so
// its message is frozen with its final part text, and only the last message
// takes paced edits. The final text is split again and each message gets its
// final part, so a split that moved as the text grew is corrected at the end.
import type { Logger } from '../../observability/logger.js';
import type { EditPacer, PacedMessage } from '../shared/edit-pacer.js';
import { splitMessage } from '../shared/split-message.js';
import { discordMessageLimit } from './render.js';
import type { ReplyTarget } from './reply-target.js';

/** One message of the answer. */
interface Part {
  /** Message id, once the message exists. */
  id: string | undefined;
  /** Paced edits of the message while it takes them. */
  paced: PacedMessage | undefined;
  /** Content on the platform or queued for it. */
  content: string;
  /** Whether the message has its final part text for the rest of the stream. */
  frozen: boolean;
  /** Text requested while the message was still being created. */
  queuedText: string | undefined;
}

/** Options of `ReplyWriter`. */
export interface ReplyWriterOptions {
  target: ReplyTarget;
  pacer: EditPacer;
  /** Called once with the first error that stops the writer (e.g. the reply was deleted). */
  onFailure: (error: unknown) => void;
  logger: Logger;
  /** Maximum characters per message; Discord's 2000 unless a test sets less. */
  maxLength?: number;
}

/** Streams text into an answer's messages. */
export class ReplyWriter {
  private readonly parts: Part[] = [];
  private readonly maxLength: number;
  private readonly finals: Promise<void>[] = [];
  private creations: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(private readonly options: ReplyWriterOptions) {
    this.maxLength = options.maxLength ?? discordMessageLimit;
  }

  /** The error that stopped the writer, if any. */
  get failed(): { error: unknown } | undefined {
    return this.failure;
  }

  /** Ids of the answer's messages created so far, in order. */
  get messageIds(): string[] {
    return this.parts.flatMap((part) => (part.id === undefined ? [] : [part.id]));
  }

  /** Takes over the first message, which the caller created with `content`. */
  adoptFirst(id: string, content: string): void {
    const part = this.part(0);
    part.id = id;
    part.content = content;
    part.paced = this.openPaced(id);
  }

  /** Shows `text` as the answer so far: full parts are frozen, the last part is edited in place. */
  update(text: string): void {
    if (this.failure) return;
    const pieces = splitMessage(text, this.maxLength);

    pieces.forEach((piece, index) => {
      const part = this.part(index);
      if (part.frozen) return;
      const isLast = index === pieces.length - 1;
      if (isLast) this.show(part, piece, false);
      else this.show(part, piece, true);
    });
  }

  /**
   * Writes the final text: each message gets its final part, missing
   * continuations are created and ones no longer needed are deleted.
   * Resolves when every edit is sent; rejects with the first failure.
   */
  async finish(text: string): Promise<void> {
    await this.creations;
    if (this.failure) throw this.failure.error;

    const pieces = splitMessage(text, this.maxLength);
    const writes: Promise<void>[] = [...this.finals];

    pieces.forEach((piece, index) => {
      const part = this.part(index);
      if (part.id === undefined) {
        this.create(part, piece);
        return;
      }
      if (part.frozen && part.content === piece) return;
      writes.push(this.finalEdit(part, piece));
    });
    writes.push(this.creations);

    for (const extra of this.parts.slice(pieces.length)) writes.push(this.removePart(extra));

    const results = await Promise.allSettled(writes);
    // Parts that needed no final edit still hold an open handle; detach them from their lane.
    this.cancel();
    const failure = this.failed;
    if (failure) throw failure.error;
    const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (rejected) throw rejected.reason;
  }

  /** Stops all pending edits, e.g. once the answer is abandoned. */
  cancel(): void {
    for (const part of this.parts) part.paced?.cancel();
  }

  private part(index: number): Part {
    while (this.parts.length <= index) {
      this.parts.push({ id: undefined, paced: undefined, content: '', frozen: false, queuedText: undefined });
    }
    return this.parts[index] as Part;
  }

  /** Shows `text` in a part: queues an edit, or creates the message (in order) if it does not exist yet. */
  private show(part: Part, text: string, freeze: boolean): void {
    part.content = text;
    part.frozen = freeze;

    if (part.id === undefined) {
      if (part.queuedText === undefined) this.create(part, text);
      else part.queuedText = text;
      return;
    }
    if (freeze) this.finals.push(this.finalEdit(part, text));
    else part.paced?.update(text);
  }

  /** Creates a continuation message after every earlier creation, then applies text requested meanwhile. */
  private create(part: Part, text: string): void {
    part.queuedText = text;
    part.content = text;
    this.creations = this.creations.then(async () => {
      if (this.failure) return;
      try {
        part.id = await this.options.target.continue(text);
      } catch (error) {
        this.fail(error);
        return;
      }
      part.paced = this.openPaced(part.id);
      const queuedText = part.queuedText;
      part.queuedText = undefined;
      if (queuedText !== undefined && queuedText !== text) {
        if (part.frozen) this.finals.push(this.finalEdit(part, queuedText));
        else part.paced.update(queuedText);
      }
    });
  }

  /** Queues `text` as the final content of a part; a frozen part whose handle is closed gets a new one. */
  private finalEdit(part: Part, text: string): Promise<void> {
    part.content = text;
    const id = part.id as string;
    const paced = part.paced ?? this.openPaced(id);
    part.paced = undefined;
    return paced.finish(text).catch((error: unknown) => {
      this.fail(error);
    });
  }

  /** Deletes a continuation that the final text no longer fills; a failure only leaves a stale message behind. */
  private async removePart(part: Part): Promise<void> {
    part.paced?.cancel();
    part.paced = undefined;
    if (part.id === undefined) return;
    try {
      await this.options.target.remove(part.id);
    } catch (error) {
      this.options.logger.warn({ err: error, channelId: this.options.target.channelId, messageId: part.id }, 'Failed to delete a continuation message that the final answer no longer needs.');
    }
  }

  private openPaced(messageId: string): PacedMessage {
    const { target, pacer } = this.options;
    return pacer.open(target.lane, (text) => target.edit(messageId, text), (error) => this.fail(error));
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.cancel();
    this.options.onFailure(error);
  }
}
