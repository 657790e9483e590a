// Paced Web API calls. Every chat.* call of the adapter goes through
// `SlackApi.call`, which takes a token from the workspace's budget and counts
// the call in the metrics. The Web API client is built with
// `rejectRateLimitedCalls`, so a 429 comes back here at once. It then pauses
// the whole workspace budget for Retry-After, and the call is retried a
// bounded number of times. Network and HTTP failures are retried inside the
// client (`webClientOptions().retryConfig`).
import { webApi } from '@slack/bolt';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { SlackApiError } from './errors.js';
import type { PacedMethod, WorkspaceBudgets } from './rate-budget.js';

/** Destination of a call: the workspace whose budget it uses, and the channel. */
export interface CallScope {
  team: string;
  channel: string;
}

/** Result of a chat.* call; `ts` is the message timestamp where the method returns one. */
export type ChatCallResult = webApi.WebAPICallResult & { ts?: string };

/** Options of `SlackApi`. */
export interface SlackApiOptions {
  client: webApi.WebClient;
  budgets: WorkspaceBudgets;
  logger: Logger;
  metrics?: Metrics;
  /** Retries after `ratelimited` before a call fails; default 3. */
  maxRateLimitRetries?: number;
  /** Longest Retry-After the adapter waits for; a longer one fails the call at once. Default 60 s. */
  maxRetryAfterMs?: number;
}

/** Web API client options of the adapter: bounded retries, a request timeout, and 429s returned to `SlackApi`. */
export function webClientOptions(options: { slackApiUrl: string; timeoutMs: number }): webApi.WebClientOptions {
  return {
    slackApiUrl: options.slackApiUrl,
    timeout: options.timeoutMs,
    rejectRateLimitedCalls: true,
    // Network errors and HTTP 5xx: two more attempts within about three seconds.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000, randomize: true },
  };
}

/** Paced, counted and bounded-retry access to the chat.* methods. */
export class SlackApi {
  private readonly logger: Logger;
  private readonly maxRateLimitRetries: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: SlackApiOptions) {
    this.logger = options.logger;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 3;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  }

  /**
   * Calls `method` once the workspace budget allows. Throws `SlackApiError`
   * with Slack's error code. The code is `cancelled` when `signal` fires while
   * the call still waits for the budget.
   */
  async call(method: PacedMethod, scope: CallScope, args: Record<string, unknown>, signal?: AbortSignal): Promise<ChatCallResult> {
    const budget = this.options.budgets.budgetFor(method, scope.team, scope.channel);

    for (let attempt = 0; ; attempt += 1) {
      try {
        await budget.acquire(signal);
      } catch (reason) {
        throw new SlackApiError(method, 'cancelled', { team: scope.team, cause: reason });
      }
      try {
        const result: ChatCallResult = await this.options.client.apiCall(method, args);
        this.count(method, 'ok');
        return result;
      } catch (error) {
        const failure = toSlackApiError(method, scope.team, error);
        this.count(method, failure.code);
        if (!failure.rateLimited) throw failure;

        // Rate limited: the whole workspace waits, then this call tries again.
        const retryAfterMs = failure.details.retryAfterMs ?? 1000;
        this.options.metrics?.platformRateLimited.inc({ platform: 'slack', method });
        budget.pause(retryAfterMs);
        const giveUp = attempt >= this.maxRateLimitRetries || retryAfterMs > this.maxRetryAfterMs;
        this.logger.warn({ method, team: scope.team, retryAfterMs, attempt: attempt + 1, giveUp }, giveUp ? `Slack rate limited ${method}; giving up` : `Slack rate limited ${method}; retrying after Retry-After`);
        if (giveUp) throw failure;
      }
    }
  }

  private count(method: string, status: string): void {
    this.options.metrics?.platformCalls.inc({ platform: 'slack', method, status });
  }
}

/** Returns the `ts` of a call result; throws when Slack returned none. */
export function messageTs(method: string, team: string, result: ChatCallResult): string {
  if (typeof result.ts !== 'string') throw new SlackApiError(method, 'missing_ts', { team });
  return result.ts;
}

/** Maps an error of the Web API client to a `SlackApiError` with Slack's error code or a transport code. */
export function toSlackApiError(method: string, team: string | undefined, error: unknown): SlackApiError {
  if (error instanceof SlackApiError) return error;
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new SlackApiError(method, 'ratelimited', { team, retryAfterMs: error.retryAfter * 1000, cause: error });
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    return new SlackApiError(method, error.data.error, { team, cause: error });
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    return new SlackApiError(method, `http_${error.statusCode}`, { team, cause: error });
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return new SlackApiError(method, 'request_failed', { team, cause: error });
  }
  return new SlackApiError(method, 'unexpected_error', { team, cause: error });
}
