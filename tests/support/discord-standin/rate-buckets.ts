// Rate-limit buckets of the stand-in, modelled on Discord's: a fixed window
// that opens on the first request, a request budget per window, and the
// X-RateLimit-* headers on every response of the bucket.
import { createHash } from 'node:crypto';

/** Size of one bucket: `limit` requests per `windowMs`. */
export interface BucketLimit {
  limit: number;
  windowMs: number;
}

/** Outcome of taking one request from a bucket: the headers to send and whether to respond with 429. */
export interface BucketDecision {
  limited: boolean;
  headers: Record<string, string>;
  /** Seconds until the window resets, for the 429 body's `retry_after`. */
  retryAfterSeconds: number;
}

interface Window {
  remaining: number;
  resetAt: number;
}

/** Buckets of one kind (e.g. message edits), one window per major parameter (channel id or webhook token). */
export class RateBucket {
  readonly hash: string;
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly name: string,
    readonly size: BucketLimit,
  ) {
    this.hash = createHash('sha1').update(name).digest('hex').slice(0, 16);
  }

  /** Takes one request for `major` and returns the headers; `limited` when the window has no budget left. */
  take(major: string, now = Date.now()): BucketDecision {
    let window = this.windows.get(major);
    if (window === undefined || now >= window.resetAt) {
      window = { remaining: this.size.limit, resetAt: now + this.size.windowMs };
      this.windows.set(major, window);
    }

    const limited = window.remaining <= 0;
    if (!limited) window.remaining -= 1;

    const resetAfterSeconds = Math.max(0, window.resetAt - now) / 1000;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.size.limit),
      'x-ratelimit-remaining': String(window.remaining),
      'x-ratelimit-reset': (window.resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfterSeconds.toFixed(3),
      'x-ratelimit-bucket': this.hash,
    };
    if (limited) {
      headers['retry-after'] = String(Math.ceil(resetAfterSeconds));
      headers['x-ratelimit-scope'] = 'user';
    }
    return { limited, headers, retryAfterSeconds: resetAfterSeconds };
  }
}
