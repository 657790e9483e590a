// Edit pacing of one message. The answer text changes with every token, but
// the message is edited at most once per interval, and each edit sends only
// the latest text: whatever arrived while an edit waited for its turn is
// folded into that edit (coalescing).

/**
 * Sends one edit; returns false to stop live edits for this message (the
 * final write still happens). `signal` fires on close(), so an edit that still
 * waits for the rate budget can give up its place.
 */
export type SendEdit = (text: string, signal: AbortSignal) => Promise<boolean>;

/** Paced, coalesced live edits of one message. */
export class LiveEdits {
  private latest = '';
  private dirty = false;
  private closed = false;
  private started = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly closedSignal = new AbortController();

  constructor(
    private readonly send: SendEdit,
    private readonly intervalMs: number,
  ) {}

  /** Records the latest text; the next edit sends it. */
  set(text: string): void {
    this.latest = text;
    this.dirty = true;
    this.notify();
  }

  /** Starts sending edits; text set before is sent first. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.running = this.loop();
  }

  /** Stops live edits and waits for an edit in progress, so the final write comes last. */
  async close(): Promise<void> {
    this.closed = true;
    this.closedSignal.abort();
    this.notify();
    await this.running;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async loop(): Promise<void> {
    let lastSentAt = Number.NEGATIVE_INFINITY;
    while (!this.closed) {
      if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
      if (this.closed) break;

      // Keep the floor between two edits of this message; close() cuts the wait short.
      const wait = lastSentAt + this.intervalMs - Date.now();
      if (wait > 0) await this.sleep(wait);
      if (this.closed) break;

      this.dirty = false;
      lastSentAt = Date.now();
      if (!(await this.send(this.latest, this.closedSignal.signal))) break;
    }
  }

  // Resolves after `ms`, or at once when close() is called.
  private sleep(ms: number): Promise<void> {
    const signal = this.closedSignal.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
