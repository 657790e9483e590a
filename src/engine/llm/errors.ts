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

/** Error thrown by a `ChatModel` stream; `status` and `retryAfterMs` come from the HTTP response when there was one. */
export class ChatModelError extends Error {
  override readonly name = 'ChatModelError';

  constructor(
    readonly failure: ChatModelFailure,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
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
