// Coalescing of identical first-turn questions. The first asker of a question
// (same answer cache key) leads: it takes a generation slot and answers. Askers
// of the same question that arrive before it finishes wait for its answer
// without taking a slot, and replay it like a cache hit.
import { EngineError, EngineErrorCode } from '../errors.js';
import type { CacheStats, CachedAnswer } from './answer-cache.js';

/** Call that hands the leader's answer to the waiting askers; undefined when it has none to share. Calling it twice is harmless. */
export type ShareAnswer = (answer: CachedAnswer | undefined) => void;

/** Answers being generated now, by answer cache key. */
export class InFlightAnswers {
  private readonly pending = new Map<string, Promise<CachedAnswer | undefined>>();
  private hits = 0;
  private misses = 0;

  /** `enabled` false turns coalescing off, e.g. when the answer cache is off. */
  constructor(private readonly enabled: boolean) {}

  /**
   * Registers the caller as the one that answers `key`. Returns the call that shares the
   * answer and ends the entry, or undefined when another caller already leads or coalescing is off.
   */
  lead(key: string): ShareAnswer | undefined {
    if (!this.enabled || this.pending.has(key)) return undefined;

    let resolve!: (answer: CachedAnswer | undefined) => void;
    this.pending.set(key, new Promise((done) => (resolve = done)));
    let shared = false;
    return (answer) => {
      if (shared) return;
      shared = true;
      this.pending.delete(key);
      resolve(answer === undefined ? undefined : structuredClone(answer));
    };
  }

  /** Returns true when an answer to `key` is being generated now. */
  has(key: string): boolean {
    return this.pending.has(key);
  }

  /**
   * Waits for the answer to `key` that another caller is generating. Resolves to a copy of
   * it, or undefined when no caller leads or the leader had nothing to share (it failed,
   * timed out or was cancelled). Throws EngineError Aborted when `signal` aborts first.
   */
  async join(key: string, signal?: AbortSignal): Promise<CachedAnswer | undefined> {
    const pending = this.pending.get(key);
    if (pending === undefined) return undefined;

    const answer = await untilAborted(pending, signal);
    if (answer === undefined) this.misses += 1;
    else this.hits += 1;
    return answer === undefined ? undefined : structuredClone(answer);
  }

  /** Joins that got an answer (hits) or nothing to share (misses), and answers in flight (size). */
  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.pending.size };
  }
}

/** Awaits `promise`, or throws EngineError Aborted when `signal` aborts first. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) throw abortedError();

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function abortedError(): EngineError {
  return new EngineError(EngineErrorCode.Aborted, 'The question was cancelled while it waited for the same question to be answered.');
}
