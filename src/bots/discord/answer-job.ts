// One question answered in Discord: placeholder reply, typing indicator,
// the engine's token stream turned into paced edits, and the final answer
// with its sources. Faults end the job without crashing the adapter: a
// deleted reply aborts the engine call, a missing permission is reported,
// and engine errors become a short message in the reply.
import type { PermissionsBitField } from 'discord.js';
import { isEngineError, userMessages } from '../../engine/errors.js';
import type { AnswerEngine, AnswerEvent, AskRequest } from '../../engine/types.js';
import type { Logger } from '../../observability/logger.js';
import type { EditPacer } from '../shared/edit-pacer.js';
import { isGoneError, isPermissionError, requiredPermissions, type PermissionReporter, type ReplyOperation } from './api-errors.js';
import { failureNote, placeholderText, renderFinal, renderStreaming, renderWithNote, shutdownNote } from './render.js';
import type { ReplyTarget } from './reply-target.js';
import { ReplyWriter } from './reply-writer.js';

/** How often the typing indicator is renewed until the first token (Discord shows it for about 10 seconds). */
const typingRenewMs = 8000;
/** Maximum typing renewals per answer, so a stalled engine does not keep the bot "typing". */
const maxTypingRenewals = 3;

/** Outcome of a job. */
export type AnswerJobEnd = 'answered' | 'engine_error' | 'failed' | 'reply_gone' | 'missing_permission' | 'interrupted';

/** Options of `AnswerJob`. */
export interface AnswerJobOptions {
  engine: AnswerEngine;
  pacer: EditPacer;
  logger: Logger;
  permissions: PermissionReporter;
  target: ReplyTarget;
  request: AskRequest;
  /** Whether the target channel is a thread (its send permission differs). */
  inThread: boolean;
  /** The bot's cached permissions in the target channel, when it is a guild channel. */
  grantedPermissions: () => Readonly<PermissionsBitField> | undefined;
  /** Maximum characters per message (default: Discord's 2000). */
  maxLength?: number;
}

/** Streams one answer into Discord messages. Call `run()` once. */
export class AnswerJob {
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private interrupted = false;

  constructor(private readonly options: AnswerJobOptions) {
    const { target, request } = options;
    this.logger = options.logger.child({ channelId: target.channelId, guildId: target.guildId, userId: request.session.user });
  }

  /** Ends the answer early with the shutdown note: aborts the engine call, then writes what streamed so far. */
  interrupt(): void {
    this.interrupted = true;
    this.controller.abort(new Error('The adapter is shutting down.'));
  }

  /** Runs the job to its end; never rejects. */
  async run(): Promise<AnswerJobEnd> {
    const { target } = this.options;

    let firstId: string;
    try {
      firstId = await target.start(placeholderText);
    } catch (error) {
      return this.handleWriteError(error, 'reply');
    }

    const writer = new ReplyWriter({
      target,
      pacer: this.options.pacer,
      logger: this.logger,
      maxLength: this.options.maxLength,
      onFailure: (error) => this.controller.abort(error),
    });
    writer.adoptFirst(firstId, placeholderText);

    const { text, final, error } = await this.stream(writer);
    if (writer.failed) return this.handleWriteError(writer.failed.error, 'edit');

    const content = this.finalContent(text, final, error);
    try {
      await writer.finish(content);
    } catch (writeError) {
      return this.handleWriteError(writeError, 'edit');
    }
    if (this.interrupted) return 'interrupted';
    return error === undefined ? 'answered' : 'engine_error';
  }

  /** Consumes the engine's stream into the writer; returns the text so far, the final event and any error. */
  private async stream(writer: ReplyWriter): Promise<{ text: string; final: Extract<AnswerEvent, { type: 'final' }> | undefined; error: unknown }> {
    const stopTyping = this.startTyping();
    let text = '';
    let final: Extract<AnswerEvent, { type: 'final' }> | undefined;

    try {
      const events = this.options.engine.ask({ ...this.options.request, signal: this.controller.signal });
      for await (const event of events) {
        if (this.controller.signal.aborted) break;
        if (event.type === 'delta') {
          text += event.text;
          stopTyping();
          writer.update(renderStreaming(text));
        } else {
          final = event;
        }
      }
      return { text, final, error: undefined };
    } catch (error) {
      return { text, final, error };
    } finally {
      stopTyping();
    }
  }

  /** Chooses the final content: the answer with sources, or what streamed plus a note saying why it ended. */
  private finalContent(text: string, final: Extract<AnswerEvent, { type: 'final' }> | undefined, error: unknown): string {
    if (this.interrupted) return renderWithNote(text, shutdownNote);
    if (error === undefined && final !== undefined) return renderFinal(final.answer, final.sources, this.options.request.profile);

    if (isEngineError(error)) {
      this.logger.info({ code: error.code }, 'The engine failed to produce an answer; the reply shows the reason.');
      return renderWithNote(text, userMessages[error.code]);
    }
    this.logger.error({ err: error }, error === undefined ? 'The engine stream ended without a final event.' : 'Answering failed.');
    return renderWithNote(text, failureNote);
  }

  /** Maps a failed post or edit to a job end, logging or reporting it once. */
  private handleWriteError(error: unknown, operation: ReplyOperation): AnswerJobEnd {
    this.controller.abort(error);
    const { target } = this.options;

    if (isGoneError(error)) {
      this.logger.info({ code: error.code }, 'The reply was deleted or its interaction expired, so the answer stopped.');
      return 'reply_gone';
    }
    if (isPermissionError(error)) {
      this.options.permissions.report({
        channelId: target.channelId,
        guildId: target.guildId,
        operation,
        required: requiredPermissions(operation, this.options.inThread),
        granted: this.options.grantedPermissions(),
        error,
      });
      return 'missing_permission';
    }
    this.logger.error({ err: error, operation }, `Failed to ${operation} in Discord; the answer stopped.`);
    return 'failed';
  }

  /** Shows typing now and renews it until the first token; returns the function that stops it. */
  private startTyping(): () => void {
    let renewals = 0;
    const send = () => {
      this.options.target.typing().catch((error: unknown) => {
        if (isPermissionError(error)) {
          this.handleTypingPermission(error);
          return;
        }
        this.logger.debug({ err: error }, 'Failed to show the typing indicator.');
      });
    };

    send();
    const timer = setInterval(() => {
      renewals += 1;
      if (renewals > maxTypingRenewals) clearInterval(timer);
      else send();
    }, typingRenewMs);
    return () => clearInterval(timer);
  }

  private handleTypingPermission(error: unknown): void {
    const { target } = this.options;
    this.options.permissions.report({
      channelId: target.channelId,
      guildId: target.guildId,
      operation: 'typing',
      required: requiredPermissions('typing', this.options.inThread),
      granted: this.options.grantedPermissions(),
      error,
    });
  }
}
