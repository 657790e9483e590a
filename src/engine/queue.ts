// Admission control for answer generation: p-limit caps how many answers run
// at once, and a bounded wait queue in front rejects new questions at once
// with Busy when it is full, instead of letting them pile up.
import pLimit, { type LimitFunction } from 'p-limit';
import { EngineError, EngineErrorCode } from './errors.js';

/** Call that gives a generation slot back; calling it twice is harmless. */
export type ReleaseSlot = () => void;

/** Options of `AnswerQueue`. */
export interface AnswerQueueOptions {
  /** Maximum answers generated at once. */
  concurrency: number;
  /** Maximum questions waiting for a slot; 0 rejects every question that cannot start at once. */
  maxQueue: number;
  /** Called whenever the queue length or the in-flight count changes. */
  onChange?: (stats: { queueLength: number; inFlight: number }) => void;
}

/** Concurrency cap with a bounded wait queue. */
export class AnswerQueue {
  private readonly limit: LimitFunction;
  private readonly maxQueue: number;
  private readonly onChange: AnswerQueueOptions['onChange'];

  constructor(options: AnswerQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new TypeError(`Expected \`concurrency\` to be a whole number from 1 and up, got ${options.concurrency}`);
    }
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new TypeError(`Expected \`maxQueue\` to be a whole number from 0 and up, got ${options.maxQueue}`);
    }
    this.limit = pLimit(options.concurrency);
    this.maxQueue = options.maxQueue;
    this.onChange = options.onChange;
  }

  /** Questions waiting for a slot. */
  get queueLength(): number {
    return this.limit.pendingCount;
  }

  /** Answers holding a slot now. */
  get inFlight(): number {
    return this.limit.activeCount;
  }

  /**
   * Waits for a generation slot and returns the call that gives it back.
   * Throws EngineError Busy at once when all slots are taken and the queue is full,
   * and EngineError Aborted when `signal` aborts while waiting.
   */
  async acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) throw abortedError();
    if (this.limit.activeCount >= this.limit.concurrency && this.limit.pendingCount >= this.maxQueue) {
      throw new EngineError(EngineErrorCode.Busy, `All ${this.limit.concurrency} answer slots are busy and ${this.limit.pendingCount} questions are waiting.`);
    }

    const slot = new Promise<ReleaseSlot>((resolveSlot) => {
      void this.limit(
        () =>
          new Promise<void>((resolveTask) => {
            let released = false;
            resolveSlot(() => {
              if (released) return;
              released = true;
              resolveTask();
              // p-limit updates its counts a few microtasks after the task settles.
              setImmediate(() => this.notify());
            });
            this.notify();
          }),
      );
    });
    this.notify();

    // NOTE: p-limit cannot remove one waiting task, so a question aborted while it
    // waits still counts in the queue length until its turn comes, then gives the slot back.
    if (signal === undefined) return slot;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortedError());
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([slot, aborted]);
    } catch (error) {
      void slot.then((release) => release());
      throw error;
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private notify(): void {
    this.onChange?.({ queueLength: this.queueLength, inFlight: this.inFlight });
  }
}

function abortedError(): EngineError {
  return new EngineError(EngineErrorCode.Aborted, 'The question was cancelled while it waited for an answer slot.');
}
