// What the engine records about each question: its outcome label for the
// metrics, and the fields of its log line.
import type { QuestionOutcome } from '../../observability/metrics.js';
import { EngineErrorCode, isEngineError } from '../errors.js';
import { ChatModelError } from '../llm/errors.js';
import type { AnswerEvent, AnswerTimings } from '../types.js';

/** Returns the outcome label of an answer that ended with a final event. */
export function finalOutcome(event: Extract<AnswerEvent, { type: 'final' }>): QuestionOutcome {
  if (event.cached) return 'cached';
  switch (event.end) {
    case 'complete':
      return 'answered';
    case 'not_found':
      return 'not_found';
    case 'timeout':
      return 'timeout';
    case 'aborted':
      return 'aborted';
    case 'interrupted':
      return 'error';
  }
}

/** Returns the outcome label of a question that failed with `error`. */
export function errorOutcome(error: unknown): QuestionOutcome {
  if (!isEngineError(error)) return 'error';
  switch (error.code) {
    case EngineErrorCode.Busy:
      return 'busy';
    case EngineErrorCode.Timeout:
      return 'timeout';
    case EngineErrorCode.Aborted:
      return 'aborted';
    case EngineErrorCode.EmptyQuestion:
    case EngineErrorCode.QuestionTooLong:
      return 'rejected';
    default:
      return 'error';
  }
}

/**
 * Returns the log fields of a failed question. An expected failure (an EngineError from
 * validation, admission or the chat model) is one line with its code, HTTP status and
 * message. Anything else is a programming error and is logged whole, stack included.
 */
export function failureLogFields(error: unknown): Record<string, unknown> {
  if (!isEngineError(error)) return { err: error };

  const cause = error.cause;
  if (cause === undefined || isEngineError(cause) || cause instanceof ChatModelError || error.code === EngineErrorCode.Aborted) {
    const status = cause instanceof ChatModelError ? cause.details.status : undefined;
    return { code: error.code, status, error: error.message };
  }
  return { code: error.code, err: error };
}

/** Rounds each timing to whole milliseconds, for log lines. */
export function roundTimings(timings: AnswerTimings): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([name, ms]) => [name, Math.round(ms)]));
}
