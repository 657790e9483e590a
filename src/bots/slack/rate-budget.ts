// Shared call budgets for Slack's Web API. Slack limits each method per app
// per workspace (chat.update is Tier 3, about 50 calls a minute), so every
// answer being written in a workspace draws from one token bucket per method.
// Waiters are served first come, first served: an answer that keeps at most
// one call waiting gets its turn after every other waiting answer.
import { LRUCache } from 'lru-cache';

/** At most `limit` calls in any window of `windowMs` milliseconds. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Web API methods whose calls the adapter paces. */
export type PacedMethod =
  | 'chat.postMessage'
  | 'chat.postEphemeral'
  | 'chat.update'
  | 'chat.startStream'
  | 'chat.appendStream'
  | 'chat.stopStream';

/**
 * Default budgets from Slack's published tiers: Tier 3 (50 a minute) for
 * chat.update, Tier 4 (100 a minute) for chat.appendStream and
 * chat.postEphemeral, and about one message a second per channel for
 * chat.postMessage.
 */
export const defaultRateLimits: Readonly<Record<PacedMethod, RateLimit>> = {
  'chat.postMessage': { limit: 60, windowMs: 60_000 },
  'chat.postEphemeral': { limit: 100, windowMs: 60_000 },
  'chat.update': { limit: 50, windowMs: 60_000 },
  // NOTE: Slack's method pages did not state the tiers of chat.startStream and
  // chat.stopStream when this was written; Tier 3 is an assumption.
  'chat.startStream': { limit: 50, windowMs: 60_000 },
  'chat.appendStream': { limit: 100, windowMs: 60_000 },
  'chat.stopStream': { limit: 50, windowMs: 60_000 },
};

/** Methods whose limit Slack applies per channel rather than per workspace. */
const perChannelMethods: ReadonlySet<PacedMethod> = new Set(['chat.postMessage']);

/** Throws a TypeError unless `limit` is a usable budget. */
export function validateRateLimit(name: string, limit: RateLimit): void {
  if (!Number.isInteger(limit.limit) || limit.limit < 2) {
    throw new TypeError(`Expected \`${name}.limit\` to be a whole number from 2 and up, got ${limit.limit}`);
  }
  if (!Number.isFinite(limit.windowMs) || limit.windowMs < 1) {
    throw new TypeError(`Expected \`${name}.windowMs\` to be a number from 1 and up, got ${limit.windowMs}`);
  }
}

/**
 * A token bucket that never lets more than `limit` calls through in any
 * window of `windowMs`: it starts with a burst of a tenth of the limit and
 * refills at the rest of the limit per window.
 */
export class RateBudget {
  readonly capacity: number;
  private readonly refillPerMs: number;
  private tokens: number;
  private refilledAt: number;
  private blockedUntil = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly rateLimit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    validateRateLimit('rateLimit', rateLimit);
    this.capacity = Math.max(1, Math.floor(rateLimit.limit / 10));
    this.refillPerMs = (rateLimit.limit - this.capacity) / rateLimit.windowMs;
    this.tokens = this.capacity;
    this.refilledAt = now();
  }

  /** Number of callers waiting for a token. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves when the caller may make one call; callers are served in order of
   * arrival. Rejects with the signal's reason when `signal` fires first.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.take()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal!.reason);
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
      this.schedule();
    });
  }

  /** Empties the bucket and lets no call through for `ms`, after Slack answered `ratelimited` with Retry-After. */
  pause(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until <= this.blockedUntil) return;
    this.blockedUntil = until;
    this.tokens = 0;
    this.refilledAt = until;
    this.schedule();
  }

  private take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.now();
    if (now <= this.refilledAt) return;
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.refillPerMs);
    this.refilledAt = now;
  }

  // Serves waiters while tokens last, then sleeps until the next token is due.
  private schedule(): void {
    if (this.timer !== undefined) return;
    while (this.waiters.length > 0 && this.take()) this.waiters.shift()!();
    if (this.waiters.length === 0) return;

    const now = this.now();
    const start = Math.max(now, this.refilledAt);
    const due = start + Math.max(0, 1 - this.tokens) / this.refillPerMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, Math.max(1, Math.ceil(due - now)));
  }
}

/** Options of `WorkspaceBudgets`. */
export interface WorkspaceBudgetsOptions {
  /** Overrides of `defaultRateLimits`, per method. */
  rateLimits?: Partial<Record<PacedMethod, RateLimit>>;
  now?: () => number;
  /** Maximum number of buckets kept; the least recently used are dropped. */
  maxBuckets?: number;
}

/** One `RateBudget` per workspace and method (and per channel for chat.postMessage), made on first use. */
export class WorkspaceBudgets {
  private readonly limits: Record<PacedMethod, RateLimit>;
  private readonly buckets: LRUCache<string, RateBudget>;
  private readonly now: () => number;

  constructor(options: WorkspaceBudgetsOptions = {}) {
    this.limits = { ...defaultRateLimits, ...options.rateLimits };
    for (const [method, limit] of Object.entries(this.limits)) validateRateLimit(`rateLimits['${method}']`, limit);
    this.now = options.now ?? Date.now;
    this.buckets = new LRUCache({ max: options.maxBuckets ?? 5000 });
  }

  /** Budget shared by every call of `method` in workspace `team` (and `channel`, for per-channel methods). */
  budgetFor(method: PacedMethod, team: string, channel: string): RateBudget {
    const key = perChannelMethods.has(method) ? `${team}\u0000${method}\u0000${channel}` : `${team}\u0000${method}`;
    let budget = this.buckets.get(key);
    if (budget === undefined) {
      budget = new RateBudget(this.limits[method], this.now);
      this.buckets.set(key, budget);
    }
    return budget;
  }
}
