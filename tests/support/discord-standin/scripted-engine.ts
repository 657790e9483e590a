// A scripted AnswerEngine for adapter tests: yields given deltas with given
// delays, then a final event or an EngineError, and records every request
// and abort signal. A delay ends early with EngineError `aborted` when the
// request's signal fires, as the real engine stops its upstream call.
import { EngineError, EngineErrorCode } from '../../../src/engine/errors.js';
import type { AnswerEngine, AnswerEvent, AnswerSource, AskRequest, EngineStats, SessionKey } from '../../../src/engine/types.js';

/** What the engine does for one question. */
export interface AnswerScript {
  deltas: string[];
  /** Milliseconds before each delta (default 10). */
  delayMs?: number;
  /** Milliseconds before the first delta (default: `delayMs`). */
  firstDelayMs?: number;
  /** Final answer text; defaults to the deltas joined. */
  answer?: string;
  sources?: AnswerSource[];
  /** Thrown after the deltas instead of the final event. */
  error?: EngineError;
}

/** One recorded call of `ask`. */
export interface RecordedAsk {
  request: AskRequest;
  signal: AbortSignal;
  /** Set when the stream ended: completed, failed or aborted. */
  ended?: 'complete' | 'error' | 'aborted';
}

/** Builds `count` deltas of `size` characters that join into `text`. */
export function chunkText(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

/** An AnswerEngine that plays scripts. */
export class ScriptedEngine implements AnswerEngine {
  readonly asks: RecordedAsk[] = [];
  readonly clearedSessions: SessionKey[] = [];

  constructor(private readonly script: AnswerScript | ((request: AskRequest, index: number) => AnswerScript)) {}

  /** Number of `ask` calls whose signal was aborted. */
  get abortedCount(): number {
    return this.asks.filter((ask) => ask.signal.aborted).length;
  }

  async *ask(request: AskRequest): AsyncIterable<AnswerEvent> {
    const signal = request.signal ?? new AbortController().signal;
    const record: RecordedAsk = { request, signal };
    const script = typeof this.script === 'function' ? this.script(request, this.asks.length) : this.script;
    this.asks.push(record);

    try {
      for (const [index, text] of script.deltas.entries()) {
        await delay(index === 0 ? (script.firstDelayMs ?? script.delayMs ?? 10) : (script.delayMs ?? 10), signal);
        yield { type: 'delta', text };
      }
      if (script.error) throw script.error;
      yield {
        type: 'final',
        answer: script.answer ?? script.deltas.join(''),
        sources: script.sources ?? [],
        cached: false,
        end: 'complete',
        timings: { embedMs: 1, searchMs: 1, firstTokenMs: 1, totalMs: 1 },
      };
      record.ended = 'complete';
    } catch (error) {
      record.ended = signal.aborted ? 'aborted' : 'error';
      throw error;
    } finally {
      // A consumer that stops iterating (break) also ends the stream.
      record.ended ??= 'aborted';
    }
  }

  clearSession(key: SessionKey): void {
    this.clearedSessions.push(key);
  }

  stats(): EngineStats {
    return { queueLength: 0, inFlight: this.asks.filter((ask) => ask.ended === undefined).length, caches: {}, sessions: 0 };
  }
}

/** Waits `ms`, or rejects with EngineError `aborted` as soon as `signal` fires. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => reject(new EngineError(EngineErrorCode.Aborted, 'The request was aborted.'));
    if (signal.aborted) {
      aborted();
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      aborted();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
