// Coalesced, paced message edits for streamed answers.
//
// Every message being streamed belongs to a lane: the platform's rate-limit
// bucket for its edits (on Discord, one per channel or interaction webhook).
// All answers in a lane share its budget. A message keeps only its latest
// pending text, so an edit always sends the newest answer and a slow bucket
// never builds a queue. The lane sends one edit at a time and spreads the
// bucket's remaining budget evenly over the time until it resets, from the
// figures the platform returns (`observe`). Final edits go before interim
// ones, and each message waits at least `floorMs` between interim edits.

/** Rate-limit figures of a bucket as the platform last reported them. */
export interface BucketObservation {
  /** Requests left in the current window. */
  remaining: number;
  /** Milliseconds until the window resets. */
  resetAfterMs: number;
}

/** Sends one edit of a message with the given full text. */
export type EditSender = (text: string) => Promise<void>;

/** Options of `EditPacer`. */
export interface EditPacerOptions {
  /** Minimum milliseconds between two interim edits of one message. */
  floorMs: number;
  /** Returns how long to wait before retrying an edit that failed with `error`, or undefined when it must not be retried. */
  retryDelayMs?: (error: unknown) => number | undefined;
  /** Maximum consecutive retries of one message's edit before it fails (default 3). */
  maxRetries?: number;
  /** Milliseconds added to a bucket's reset time before sending into a fresh window (default 100). */
  resetMarginMs?: number;
  now?: () => number;
}

/** A message whose edits go through a lane. */
export interface PacedMessage {
  /** Queues `text` as the message's next content, replacing any text not sent yet. */
  update(text: string): void;
  /** Queues `text` as the final content; resolves once it is sent, rejects if the edit fails. */
  finish(text: string): Promise<void>;
  /** Drops any pending text and detaches the message from its lane. */
  cancel(): void;
}

/** Last known budget and pause of one bucket, kept while lanes come and go. */
interface BucketState {
  remaining: number | undefined;
  observedAt: number;
  resetAt: number;
  pausedUntil: number;
}

interface MessageState {
  send: EditSender;
  onError: (error: unknown) => void;
  pending: string | undefined;
  pendingFinal: boolean;
  queuedAt: number;
  sending: boolean;
  sentText: string | undefined;
  lastSentAt: number;
  retries: number;
  closed: boolean;
  finishWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/** Edit lanes by key, created on first use and dropped when idle. */
export class EditPacer {
  private readonly lanes = new Map<string, EditLane>();
  private readonly buckets = new Map<string, BucketState>();
  private readonly now: () => number;

  constructor(private readonly options: EditPacerOptions) {
    if (!Number.isFinite(options.floorMs) || options.floorMs < 0) {
      throw new TypeError(`Expected \`floorMs\` to be a number from 0 and up, got ${options.floorMs}`);
    }
    this.now = options.now ?? Date.now;
  }

  /**
   * Attaches a message to the lane `key`. `send` performs one edit; `onError`
   * is called once if an edit fails for good, after which updates are ignored.
   */
  open(key: string, send: EditSender, onError: (error: unknown) => void = () => {}): PacedMessage {
    return this.lane(key).open(send, onError);
  }

  /** Records the rate-limit figures that the platform returned for a request in bucket `key`. */
  observe(key: string, observation: BucketObservation): void {
    const now = this.now();
    const bucket = this.bucket(key);
    bucket.remaining = observation.remaining;
    bucket.observedAt = now;
    bucket.resetAt = now + Math.max(0, observation.resetAfterMs);
    this.lanes.get(key)?.wakeUp();
  }

  /** Holds every edit in bucket `key` for `ms`, e.g. after a rate-limit response. */
  pause(key: string, ms: number): void {
    const bucket = this.bucket(key);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, this.now() + Math.max(0, ms));
    this.lanes.get(key)?.wakeUp();
  }

  /** Number of lanes with attached messages. */
  get laneCount(): number {
    return this.lanes.size;
  }

  /** Returns the earliest time bucket `key` may take a request, from its pause and its last observed budget. */
  readyAt(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return now;

    let readyAt = Math.max(now, bucket.pausedUntil);
    if (bucket.remaining === undefined || now >= bucket.resetAt) return readyAt;

    if (bucket.remaining <= 0) {
      readyAt = Math.max(readyAt, bucket.resetAt + (this.options.resetMarginMs ?? 100));
    } else {
      // Spread what is left over the window, keeping one slot for the moment it resets.
      const spacing = (bucket.resetAt - bucket.observedAt) / (bucket.remaining + 1);
      readyAt = Math.max(readyAt, bucket.observedAt + spacing);
    }
    return readyAt;
  }

  private lane(key: string): EditLane {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = new EditLane(key, this, this.options, this.now, () => {
        if (this.lanes.get(key) === lane) this.lanes.delete(key);
      });
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private bucket(key: string): BucketState {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.dropStaleBuckets();
      bucket = { remaining: undefined, observedAt: 0, resetAt: 0, pausedUntil: 0 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Forgets buckets whose window and pause are over, so that the map does not grow with every channel ever seen. */
  private dropStaleBuckets(): void {
    if (this.buckets.size < 1000) return;
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (bucket.resetAt <= now && bucket.pausedUntil <= now && !this.lanes.has(key)) this.buckets.delete(key);
    }
  }
}

/** Messages of one rate-limit bucket and the loop that sends their edits. */
class EditLane {
  private readonly messages = new Set<MessageState>();
  private running = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly key: string,
    private readonly pacer: EditPacer,
    private readonly options: EditPacerOptions,
    private readonly now: () => number,
    private readonly onEmpty: () => void,
  ) {}

  open(send: EditSender, onError: (error: unknown) => void): PacedMessage {
    const state: MessageState = {
      send,
      onError,
      pending: undefined,
      pendingFinal: false,
      queuedAt: 0,
      sending: false,
      sentText: undefined,
      lastSentAt: Number.NEGATIVE_INFINITY,
      retries: 0,
      closed: false,
      finishWaiters: [],
    };
    this.messages.add(state);

    return {
      update: (text) => this.queue(state, text, false),
      finish: (text) => {
        if (state.closed) return Promise.resolve();
        const done = new Promise<void>((resolve, reject) => state.finishWaiters.push({ resolve, reject }));
        this.queue(state, text, true);
        return done;
      },
      cancel: () => this.close(state),
    };
  }

  /** Re-evaluates a sleeping lane after its bucket changed. */
  wakeUp(): void {
    this.wake?.();
  }

  private queue(state: MessageState, text: string, final: boolean): void {
    if (state.closed) return;

    // Nothing to send when the text is already on the platform and nothing newer is queued.
    const alreadySent = text === state.sentText && state.pending === undefined && !state.sending;
    if (alreadySent) {
      if (final) this.settle(state);
      return;
    }

    if (state.pending === undefined) state.queuedAt = this.now();
    state.pending = text;
    state.pendingFinal = final;
    if (this.running) this.wake?.();
    else void this.run();
  }

  /** Sends edits one at a time until no message has pending text. */
  private async run(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const next = this.pickNext();
        if (next === undefined) break;

        const wait = next.readyAt - this.now();
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        await this.sendOne(next.state);
      }
    } finally {
      this.running = false;
      if (this.messages.size === 0) this.onEmpty();
    }
  }

  /** The message to edit next and when the lane may send it: earliest first, finals before interim edits, then oldest text. */
  private pickNext(): { state: MessageState; readyAt: number } | undefined {
    const laneReadyAt = this.pacer.readyAt(this.key);
    let best: { state: MessageState; readyAt: number } | undefined;

    for (const state of this.messages) {
      if (state.pending === undefined || state.sending) continue;
      const floorReadyAt = state.pendingFinal ? 0 : state.lastSentAt + this.options.floorMs;
      const candidate = { state, readyAt: Math.max(laneReadyAt, floorReadyAt) };
      if (best === undefined || ranksBefore(candidate, best)) best = candidate;
    }
    return best;
  }

  private async sendOne(state: MessageState): Promise<void> {
    const text = state.pending as string;
    const final = state.pendingFinal;
    state.pending = undefined;
    state.sending = true;
    state.lastSentAt = this.now();

    try {
      await state.send(text);
      state.sentText = text;
      state.retries = 0;
      state.sending = false;
      if (final && state.pending === undefined) this.settle(state);
    } catch (error) {
      state.sending = false;
      this.handleFailure(state, text, final, error);
    }
  }

  /** Retries a rate-limited edit (unless newer text replaced it) or fails the message. */
  private handleFailure(state: MessageState, text: string, final: boolean, error: unknown): void {
    const delay = this.options.retryDelayMs?.(error);
    if (delay !== undefined && state.retries < (this.options.maxRetries ?? 3)) {
      state.retries += 1;
      this.pacer.pause(this.key, delay);
      if (state.pending === undefined) {
        state.pending = text;
        state.pendingFinal = final;
        state.queuedAt = this.now();
      }
      return;
    }

    const waiters = state.finishWaiters.splice(0);
    this.close(state);
    state.onError(error);
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Resolves finish waiters and detaches the message. */
  private settle(state: MessageState): void {
    const waiters = state.finishWaiters.splice(0);
    this.close(state);
    for (const waiter of waiters) waiter.resolve();
  }

  private close(state: MessageState): void {
    if (state.closed) return;
    state.closed = true;
    state.pending = undefined;
    this.messages.delete(state);
    for (const waiter of state.finishWaiters.splice(0)) waiter.resolve();
    if (this.messages.size === 0 && !this.running) this.onEmpty();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const lane = this;
      function done(): void {
        clearTimeout(timer);
        if (lane.wake === done) lane.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

/** Orders candidates: earlier ready time, then final edits, then the oldest pending text. */
function ranksBefore(a: { state: MessageState; readyAt: number }, b: { state: MessageState; readyAt: number }): boolean {
  if (a.readyAt !== b.readyAt) return a.readyAt < b.readyAt;
  if (a.state.pendingFinal !== b.state.pendingFinal) return a.state.pendingFinal;
  return a.state.queuedAt < b.state.queuedAt;
}
