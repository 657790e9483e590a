// Failures of a chat model call, in terms the engine can act on: retry,
// give up with a user-facing code, or end a partial answer with a note.

/** What went wrong with a chat model call. */
export type ChatModelFailure =
  /** HTTP 429: the provider or endpoint rejects requests for now. */
  | 'rate_limited'
  /** HTTP 5xx or a network error: the server is down, overloaded or unreachable. */
  | 'unavailable'
  /** Any other HTTP error, such as 400, 401 or 404: retrying will not help. */
  | 'rejected'
  /** The stream broke after it started: cut connection, malformed chunk or error event. */
  | 'interrupted';

/**
 * Error thrown by a `ChatModel` stream; `status` and `retryAfterMs` come from the HTTP response when there was one.
 * The library error is kept as the standard, non-enumerable `cause` only, because it contains the
 * request body (prompt, passages, question) and logging `details` must not print it.
 */
export class ChatModelError extends Error {
  override readonly name = 'ChatModelError';
  readonly details: { status?: number; retryAfterMs?: number };

  constructor(
    readonly failure: ChatModelFailure,
    message: string,
    details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    const { cause: _cause, ...fields } = details;
    this.details = fields;
  }

  /** True for failures that a later attempt may not have: 429, 5xx and network errors. */
  get retryable(): boolean {
    return this.failure === 'rate_limited' || this.failure === 'unavailable';
  }
}

/**
 * Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when the header is missing or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;

  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);

  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Returns the log fields of a chat model failure: failure kind, HTTP status and message
 * for a `ChatModelError`, which is an expected failure and needs no stack. Any other
 * error is a programming error and is logged whole as `err`, stack included.
 */
export function modelFailureLogFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof ChatModelError)) return { err: error };
  return { failure: error.failure, status: error.details.status, error: error.message };
}
