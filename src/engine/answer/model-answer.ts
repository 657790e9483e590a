// The three ways an answer body is produced once retrieval is done: by the
// chat model (checked citations), by quoting passages (extractive mode), or
// by replaying a finished text (cache hits and "not found").
import type { Logger } from '../../observability/logger.js';
import type { ChatModel } from '../llm/chat-model.js';
import type { Turn } from '../session/store.js';
import type { AnswerEnd, AnswerSource, SearchHit } from '../types.js';
import { CitationFilter, citedSources } from './citations.js';
import { buildExtractiveAnswer } from './extractive.js';
import { generate, type GenerationEnd, type RetryPolicy } from './generate.js';
import type { ProfileSettings } from './profiles.js';
import { buildMessages } from './prompt.js';
import { noteFor, splitIntoDeltas } from './text-stream.js';

/** A text delta of an answer body. */
export interface BodyDelta {
  type: 'delta';
  text: string;
}

/** What an answer body ends with: the full text, the sources it cites, and why it ended. */
export interface AnswerBody {
  answer: string;
  sources: AnswerSource[];
  end: AnswerEnd;
}

/** Inputs of `streamModelAnswer`. */
export interface ModelAnswerOptions {
  model: ChatModel;
  question: string;
  hits: SearchHit[];
  turns: Turn[];
  profile: ProfileSettings;
  historyTokens: number;
  retry: RetryPolicy;
  baseUrls: Record<string, string>;
  signal?: AbortSignal | undefined;
  logger: Logger;
}

/**
 * Streams the model's answer with checked citations. Throws `EngineError` only
 * before the first delta; an answer that ends early gets a note.
 */
export async function* streamModelAnswer(options: ModelAnswerOptions): AsyncGenerator<BodyDelta, AnswerBody> {
  const messages = buildMessages({
    question: options.question,
    hits: options.hits,
    turns: options.turns,
    profile: options.profile,
    historyTokens: options.historyTokens,
  });
  const filter = new CitationFilter(options.hits.length);
  let text = '';
  let end: GenerationEnd = 'complete';

  const show = (piece: string): string => {
    // Leading whitespace of the model's first tokens is dropped.
    const shown = text === '' ? piece.trimStart() : piece;
    text += shown;
    return shown;
  };

  const events = generate({
    model: options.model,
    messages,
    maxTokens: options.profile.maxTokens,
    timeLimitMs: options.profile.timeLimitMs,
    retry: options.retry,
    signal: options.signal,
    logger: options.logger,
  });
  for await (const event of events) {
    if (event.type === 'end') {
      end = event.end;
      continue;
    }
    const shown = show(filter.push(event.text));
    if (shown !== '') yield { type: 'delta', text: shown };
  }

  const rest = show(filter.flush()).trimEnd();
  if (rest !== '') yield { type: 'delta', text: rest };
  text = text.trimEnd();

  const note = noteFor(end, text);
  if (note !== '') {
    yield { type: 'delta', text: note };
    text += note;
  }
  return { answer: text, sources: citedSources(options.hits, filter.cited, options.baseUrls), end };
}

/** Streams an extractive answer: the top passages quoted with their sources. */
export async function* streamExtractiveAnswer(hits: SearchHit[], profile: ProfileSettings, baseUrls: Record<string, string>): AsyncGenerator<BodyDelta, AnswerBody> {
  const { text, sources } = buildExtractiveAnswer(hits, profile, baseUrls);
  yield* streamText(text);
  return { answer: text, sources, end: 'complete' };
}

/** Streams a finished text as deltas of a few words. */
export async function* streamText(text: string): AsyncGenerator<BodyDelta> {
  for (const piece of splitIntoDeltas(text)) yield { type: 'delta', text: piece };
}
