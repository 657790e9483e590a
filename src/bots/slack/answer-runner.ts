// Runs one question: asks the engine, feeds the growing text to a writer,
// and turns engine errors and shutdown into a short note in the answer. The
// writer's placeholder is posted while the engine retrieves, so neither waits
// for the other.
import { isEngineError, userMessages } from '../../engine/errors.js';
import type { AnswerEngine, AnswerEvent, AskRequest } from '../../engine/types.js';
import type { Logger } from '../../observability/logger.js';
import { SlackApiError } from './errors.js';
import { notices } from './format.js';
import type { AnswerWriter, FinishedAnswer } from './writer.js';

/** Options of `runAnswer`. */
export interface RunAnswerOptions {
  engine: AnswerEngine;
  request: Omit<AskRequest, 'signal'>;
  writer: AnswerWriter;
  logger: Logger;
  /** Aborted when the adapter stops; the answer then ends with a note. */
  shutdown: AbortSignal;
}

/** How the engine part of an answer ended. */
interface EngineResult {
  text: string;
  final?: Extract<AnswerEvent, { type: 'final' }>;
  error?: unknown;
}

/** Answers one question into `writer`; never throws (failures are logged and shown to the user). */
export async function runAnswer(options: RunAnswerOptions): Promise<void> {
  const { writer, logger } = options;
  const startedAt = performance.now();
  const engineAbort = new AbortController();
  const stopEngine = (): void => engineAbort.abort(options.shutdown.reason);
  options.shutdown.addEventListener('abort', stopEngine, { once: true });

  // Placeholder and retrieval run side by side; a failed placeholder stops the engine.
  const beginning = writer.begin().then(
    () => undefined,
    (error: unknown) => {
      engineAbort.abort(error);
      return error;
    },
  );

  const result = await readAnswer(options, engineAbort.signal, (text) => writer.update(text));
  options.shutdown.removeEventListener('abort', stopEngine);

  const beginError = await beginning;
  // An answer that completed just as the adapter stopped is still written whole.
  const cut = options.shutdown.aborted && result.final === undefined;
  let delivered = false;
  if (beginError === undefined) {
    delivered = await deliver(writer, finishedAnswer(result, cut), logger);
  } else {
    logFailure(logger, beginError, 'Posting the Slack placeholder failed; the question was not answered');
    await tryFail(writer, logger);
  }

  // The engine counts questions and latencies by platform; failed Slack calls
  // are counted by the Web API wrapper in platformCalls.
  logger.debug({ delivered, cut, ms: Math.round(performance.now() - startedAt) }, 'Slack answer finished');
}

// Reads the engine stream until the final event, an error, or an abort.
async function readAnswer(options: RunAnswerOptions, signal: AbortSignal, onText: (text: string) => void): Promise<EngineResult> {
  const result: EngineResult = { text: '' };
  let iterator: AsyncIterator<AnswerEvent> | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });

  try {
    iterator = options.engine.ask({ ...options.request, signal })[Symbol.asyncIterator]();
    for (;;) {
      // An engine that ignores the signal must not hold the answer past an abort.
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === 'aborted') {
        result.error = signal.reason;
        void iterator.return?.()?.catch(() => undefined);
        break;
      }
      if (next.done) break;
      if (next.value.type === 'delta') {
        result.text += next.value.text;
        onText(result.text);
      } else {
        result.final = next.value;
      }
    }
  } catch (error) {
    result.error = error;
  }
  if (result.error !== undefined && !isEngineError(result.error) && !signal.aborted) {
    options.logger.error({ err: result.error }, 'The answer engine failed');
  }
  return result;
}

// Text to write: the final answer, or the text so far with a note on why it ended.
function finishedAnswer(result: EngineResult, cut: boolean): FinishedAnswer {
  if (result.final) return { text: orNotice(result.final.answer), sources: result.final.sources };
  if (result.error === undefined && !cut) return { text: orNotice(result.text), sources: [] };

  const note = cut ? notices.shutdownCut : isEngineError(result.error) ? userMessages[result.error.code] : notices.internalError;
  return { text: result.text.trim() === '' ? note : `${result.text}\n\n_${note}_`, sources: [] };
}

// An empty answer would leave the placeholder in place; say so instead.
function orNotice(text: string): string {
  return text.trim() === '' ? notices.emptyAnswer : text;
}

// Writes the final answer; on a Slack error, tells the user that the answer failed.
async function deliver(writer: AnswerWriter, answer: FinishedAnswer, logger: Logger): Promise<boolean> {
  try {
    await writer.finish(answer);
    return true;
  } catch (error) {
    logFailure(logger, error, 'Writing the answer to Slack failed');
    await tryFail(writer, logger);
    return false;
  }
}

async function tryFail(writer: AnswerWriter, logger: Logger): Promise<void> {
  try {
    await writer.fail(notices.failed);
  } catch (error) {
    logFailure(logger, error, 'Telling the user that the answer failed also failed');
  }
}

function logFailure(logger: Logger, error: unknown, message: string): void {
  if (error instanceof SlackApiError) {
    logger.error({ err: error, method: error.method, code: error.code, team: error.details.team }, `${message} (${error.method}: ${error.code})`);
  } else {
    logger.error({ err: error }, message);
  }
}
