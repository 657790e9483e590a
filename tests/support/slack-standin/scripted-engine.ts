// A scripted AnswerEngine for adapter tests: for each question it yields the
// deltas of a script with the given delays, then a final event, or throws an
// EngineError. It records every request with the time it was asked and the
// abort signal it received, and honours that signal like the real engine.
import { EngineError, EngineErrorCode } from '../../../src/engine/errors.js';
import type { AnswerEngine, AnswerEnd, AnswerEvent, AnswerSource, AskRequest, EngineStats, SessionKey } from '../../../src/engine/types.js';

/** What the engine does for one question. */
export interface AnswerScript {
  /** Wait before the first delta, standing in for retrieval. */
  firstDelayMs?: number;
  deltas: string[];
  /** Wait between two deltas. */
  delayMs?: number;
  /** Thrown after the deltas instead of the final event. */
  error?: EngineErrorCode;
  /** Final answer text; default the joined deltas. */
  answer?: string;
  sources?: AnswerSource[];
  end?: AnswerEnd;
}

/** One call of `ask`. */
export interface RecordedAsk {
  request: AskRequest;
  /** performance.now() when ask was called. */
  askedAt: number;
  /** performance.now() when the first delta was yielded. */
  firstDeltaAt?: number;
}

/** Splits `text` into deltas of `size` characters. */
export function deltasOf(text: string, size = 40): string[] {
  const deltas: string[] = [];
  for (let i = 0; i < text.length; i += size) deltas.push(text.slice(i, i + size));
  return deltas;
}

/** Engine whose answers come from `script(request)`. */
export class ScriptedEngine implements AnswerEngine {
  readonly asks: RecordedAsk[] = [];
  readonly cleared: SessionKey[] = [];
  /** Called synchronously when ask is called, before anything is yielded. */
  onAsk: ((request: AskRequest) => void) | undefined;

  constructor(private readonly script: (request: AskRequest) => AnswerScript) {}

  ask(request: AskRequest): AsyncIterable<AnswerEvent> {
    const record: RecordedAsk = { request, askedAt: performance.now() };
    this.asks.push(record);
    this.onAsk?.(request);
    return this.run(request, record);
  }

  clearSession(key: SessionKey): void {
    this.cleared.push(key);
  }

  stats(): EngineStats {
    return { queueLength: 0, inFlight: 0, caches: {}, sessions: 0 };
  }

  private async *run(request: AskRequest, record: RecordedAsk): AsyncGenerator<AnswerEvent> {
    const script = this.script(request);
    await sleep(script.firstDelayMs ?? 0, request.signal);

    for (const [i, text] of script.deltas.entries()) {
      if (i > 0) await sleep(script.delayMs ?? 0, request.signal);
      record.firstDeltaAt ??= performance.now();
      yield { type: 'delta', text };
    }
    if (script.error !== undefined) throw new EngineError(script.error, `scripted ${script.error}`);

    yield {
      type: 'final',
      answer: script.answer ?? script.deltas.join(''),
      sources: script.sources ?? [],
      cached: false,
      end: script.end ?? 'complete',
      timings: { embedMs: 1, searchMs: 1, firstTokenMs: 1, totalMs: 1 },
    };
  }
}

// Waits `ms`, or throws EngineError(aborted) when the signal fires first.
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new EngineError(EngineErrorCode.Aborted, 'aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new EngineError(EngineErrorCode.Aborted, 'aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
