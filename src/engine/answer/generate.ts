// One model answer as a token stream with the engine's fault rules:
// - 429 and 5xx before the first token are retried with backoff, honouring
//   Retry-After, at most `maxRetries` times;
// - the time limit covers the wait for the first token (retries included)
//   and each gap between tokens;
// - after the first token, nothing is thrown: the stream ends with a reason.
import type { Logger } from '../../observability/logger.js';
import { EngineError, EngineErrorCode } from '../errors.js';
import type { ChatMessage, ChatModel } from '../llm/chat-model.js';
import { ChatModelError, modelFailureLogFields } from '../llm/errors.js';

/** Retry policy for failures before the first token. */
export interface RetryPolicy {
  /** Maximum retries after the first attempt. */
  maxRetries: number;
  /** First backoff in ms; doubles on each retry. */
  baseDelayMs: number;
  /** Maximum wait in ms between attempts, also for a longer Retry-After. */
  maxDelayMs: number;
}

/** Inputs of `generate`. */
export interface GenerateOptions {
  model: ChatModel;
  messages: ChatMessage[];
  maxTokens: number;
  /** Maximum wait in ms for the first token and for each gap between tokens. */
  timeLimitMs: number;
  retry: RetryPolicy;
  /** The caller's signal; aborting it closes the upstream request. */
  signal?: AbortSignal | undefined;
  logger: Logger;
}

/** Reason a generation stream ended after its first token. */
export type GenerationEnd = 'complete' | 'timeout' | 'interrupted' | 'aborted';

/** Event of a generation stream: text pieces, then one end. */
export type GenerationEvent = { type: 'token'; text: string } | { type: 'end'; end: GenerationEnd };

/** Marker for a lost race against the time limit. */
const timedOut = Symbol('timed out');

/**
 * Streams one model answer. Before the first token it throws `EngineError` with
 * Timeout, RateLimited, ModelUnavailable or Aborted. After it, the stream always
 * ends with an `end` event, and the upstream request is closed when it ends early.
 */
export async function* generate(options: GenerateOptions): AsyncGenerator<GenerationEvent> {
  const { signal, logger } = options;
  const deadline = Date.now() + options.timeLimitMs;

  for (let attempt = 0; ; attempt += 1) {
    throwIfAborted(signal);
    const upstream = new AbortController();
    const unlink = linkAbort(signal, upstream);
    const iterator = options.model.stream(options.messages, { maxTokens: options.maxTokens, signal: upstream.signal })[Symbol.asyncIterator]();

    // Wait for the first token.
    let first: IteratorResult<string> | typeof timedOut;
    try {
      first = await nextWithin(iterator, deadline - Date.now(), signal);
    } catch (error) {
      upstream.abort();
      unlink();
      throwIfAborted(signal);
      const failure = toEngineError(error);
      const delay = retryDelay(error, attempt, options.retry);
      if (delay === undefined || Date.now() + delay >= deadline) throw failure;

      const delayMs = Math.round(delay);
      logger.warn({ model: options.model.name, attempt: attempt + 1, delayMs, ...modelFailureLogFields(error) }, `chat model failed before the first token; retrying in ${delayMs} ms`);
      await sleep(delay, signal);
      continue;
    }

    if (first === timedOut) {
      upstream.abort();
      unlink();
      throw new EngineError(EngineErrorCode.Timeout, `The model sent no token within ${options.timeLimitMs} ms.`);
    }
    if (first.done) {
      unlink();
      throw new EngineError(EngineErrorCode.ModelUnavailable, 'The model returned an empty answer.');
    }

    // Stream the rest; from here on every ending is an event.
    try {
      yield { type: 'token', text: first.value };
      yield* streamRest(iterator, options, upstream);
    } finally {
      upstream.abort();
      unlink();
    }
    return;
  }
}

/** Streams the tokens after the first, ending with the reason the stream stopped. */
async function* streamRest(iterator: AsyncIterator<string>, options: GenerateOptions, upstream: AbortController): AsyncGenerator<GenerationEvent> {
  while (true) {
    let next: IteratorResult<string> | typeof timedOut;
    try {
      next = await nextWithin(iterator, options.timeLimitMs, options.signal);
    } catch (error) {
      upstream.abort();
      if (options.signal?.aborted) {
        yield { type: 'end', end: 'aborted' };
        return;
      }
      options.logger.warn({ model: options.model.name, ...modelFailureLogFields(error) }, 'chat model stream broke mid-answer');
      yield { type: 'end', end: 'interrupted' };
      return;
    }

    if (next === timedOut) {
      upstream.abort();
      options.logger.warn({ gapMs: options.timeLimitMs, model: options.model.name }, 'chat model stalled mid-answer');
      yield { type: 'end', end: 'timeout' };
      return;
    }
    if (next.done) {
      yield { type: 'end', end: 'complete' };
      return;
    }
    yield { type: 'token', text: next.value };
  }
}

/**
 * Awaits the iterator's next result for at most `ms`. Rejects at once when `signal`
 * aborts, even if the model ignores its own signal.
 */
async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number, signal: AbortSignal | undefined): Promise<IteratorResult<T> | typeof timedOut> {
  const pending = iterator.next();
  // A result that loses the race must not become an unhandled rejection.
  pending.catch(() => undefined);

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), Math.max(0, ms));
  });
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason ?? new Error('aborted'));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);

  try {
    return await Promise.race([pending, timeout, aborted]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Returns the wait before the next attempt, or undefined when the error is final or retries are used up. */
function retryDelay(error: unknown, attempt: number, policy: RetryPolicy): number | undefined {
  if (!(error instanceof ChatModelError) || !error.retryable || attempt >= policy.maxRetries) return undefined;

  const backoff = policy.baseDelayMs * 2 ** attempt;
  // Up to 20% jitter keeps clients that failed together from retrying together.
  const jittered = backoff * (1 + Math.random() * 0.2);
  return Math.min(error.details.retryAfterMs ?? jittered, policy.maxDelayMs);
}

/** Maps a failure before the first token to the EngineError that adapters show to the user. */
function toEngineError(error: unknown): EngineError {
  if (error instanceof ChatModelError) {
    const retryAfter = error.details.retryAfterMs === undefined ? {} : { retryAfterMs: error.details.retryAfterMs };
    if (error.failure === 'rate_limited') return new EngineError(EngineErrorCode.RateLimited, error.message, { ...retryAfter, cause: error });
    return new EngineError(EngineErrorCode.ModelUnavailable, error.message, { ...retryAfter, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EngineError(EngineErrorCode.ModelUnavailable, `The chat model failed: ${message}`, { cause: error });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EngineError(EngineErrorCode.Aborted, 'The question was cancelled.');
}

/** Aborts `target` when `source` aborts; returns the call that removes the link. */
function linkAbort(source: AbortSignal | undefined, target: AbortController): () => void {
  if (source === undefined) return () => undefined;
  if (source.aborted) {
    target.abort(source.reason);
    return () => undefined;
  }
  const onAbort = () => target.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
}

/** Waits `ms`, or throws EngineError Aborted when `signal` aborts first. */
async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(new EngineError(EngineErrorCode.Aborted, 'The question was cancelled.'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
