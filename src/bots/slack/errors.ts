// Errors of the Slack adapter. Each carries the fields a caller needs to act:
// the Web API method and Slack's error code, or the response_url status.

/** Slack error codes that mean the bot cannot post in the channel (not a member, or no access). */
export const channelUnavailableCodes: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/** Slack error codes that mean the message text or blocks are too long for one message. */
export const tooLongCodes: ReadonlySet<string> = new Set(['msg_too_long', 'msg_blocks_too_long']);

/** A Web API call that failed after the adapter's bounded retries; `code` is Slack's error code. */
export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';

  constructor(
    readonly method: string,
    readonly code: string,
    readonly details: { team?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(`Slack ${method} failed with "${code}"`, details.cause === undefined ? undefined : { cause: details.cause });
  }

  /** True when Slack answered `ratelimited` more often than the adapter retries. */
  get rateLimited(): boolean {
    return this.code === 'ratelimited';
  }

  /** True when the call gave up its wait for the rate budget (a live edit made obsolete by the final write). */
  get cancelled(): boolean {
    return this.code === 'cancelled';
  }

  /** True when the bot cannot post in the channel, so a slash command falls back to its response_url. */
  get channelUnavailable(): boolean {
    return channelUnavailableCodes.has(this.code);
  }

  /** True when Slack rejected the message as too long, so the text is split further and sent again. */
  get tooLong(): boolean {
    return tooLongCodes.has(this.code);
  }
}

/** A post to a slash command's response_url that failed; `status` is the HTTP status, or 0 without a response. */
export class ResponseUrlError extends Error {
  override readonly name = 'ResponseUrlError';

  constructor(
    readonly status: number,
    readonly body: string,
    options?: { cause?: unknown },
  ) {
    super(status === 0 ? 'Posting to the slash command response_url failed without a response' : `Posting to the slash command response_url failed with HTTP ${status}: ${body.slice(0, 200)}`, options);
  }
}

/** The adapter cannot start because of a missing setting or a rejected token. The message names what to change. */
export class SlackSetupError extends Error {
  override readonly name = 'SlackSetupError';

  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
