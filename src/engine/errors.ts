// Typed engine errors. Adapters map `code` to a short message for the user.

/** Failure codes of the answering engine. */
export enum EngineErrorCode {
  Busy = 'busy',
  Timeout = 'timeout',
  ModelUnavailable = 'model_unavailable',
  RateLimited = 'rate_limited',
  EmptyQuestion = 'empty_question',
  QuestionTooLong = 'question_too_long',
  IndexNotReady = 'index_not_ready',
  Aborted = 'aborted',
}

/**
 * Error thrown by the engine; `code` says what failed and `retryAfterMs` when a retry makes sense.
 * The underlying error is the standard, non-enumerable `cause`, so that a logged `details`
 * never prints a model request body.
 */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly details: { retryAfterMs?: number };

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    details: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    const { cause: _cause, ...fields } = details;
    this.details = fields;
  }
}

/** Returns true when `error` is an `EngineError`, optionally with the given code. */
export function isEngineError(error: unknown, code?: EngineErrorCode): error is EngineError {
  return error instanceof EngineError && (code === undefined || error.code === code);
}

/** User-facing sentence for each code, shared by the adapters so every platform says the same. */
export const userMessages: Record<EngineErrorCode, string> = {
  [EngineErrorCode.Busy]: 'I am answering too many questions right now. Please ask again in a minute.',
  [EngineErrorCode.Timeout]: 'The answer took too long. Please try again, or ask a shorter question.',
  [EngineErrorCode.ModelUnavailable]: 'The language model is unavailable right now. Please try again later.',
  [EngineErrorCode.RateLimited]: 'The language model is rate limited right now. Please try again in a minute.',
  // Platform-neutral: it also answers `ragbot ask ""` and a blank /ask, so adapters add their own usage hint.
  [EngineErrorCode.EmptyQuestion]: 'Please include a question, for example: how do I add my docs?',
  [EngineErrorCode.QuestionTooLong]: 'That question is too long. Please shorten it and ask again.',
  [EngineErrorCode.IndexNotReady]: 'The knowledge base is still loading. Please ask again in a minute.',
  [EngineErrorCode.Aborted]: 'The answer was cancelled.',
};
