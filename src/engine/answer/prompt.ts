// Prompt building: the system prompt, the numbered sources, the recent turns
// of the session, and the retrieval query for follow-up questions.
import type { ChatMessage } from '../llm/chat-model.js';
import { estimateTokens, type Turn } from '../session/store.js';
import type { SearchHit } from '../types.js';
import { stripCitations } from './citations.js';
import type { ProfileSettings } from './profiles.js';

/** Inputs of `buildMessages`. */
export interface PromptInput {
  question: string;
  /** Retrieved passages; the first is source [1]. */
  hits: SearchHit[];
  /** Earlier turns of the session, oldest first. */
  turns: Turn[];
  profile: ProfileSettings;
  /** Token budget for the earlier turns (estimated). */
  historyTokens: number;
}

const systemPrompt = [
  'You are ragbot, an assistant that answers questions about a team\'s documentation.',
  'Answer only from the numbered sources in the user\'s message. Do not use outside knowledge.',
  'Cite every statement with the number of its source in square brackets, like [1] or [2][3], and cite only numbers that appear in the sources.',
  'Never put a citation inside a code block.',
  'If the sources do not contain the answer, say that you could not find it in the docs, and do not guess.',
].join(' ');

/** Builds the chat messages: system prompt, recent turns, then the sources and the question. */
export function buildMessages(input: PromptInput): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: `${systemPrompt} ${input.profile.style}` }];

  for (const turn of recentTurns(input.turns, input.historyTokens)) {
    messages.push({ role: 'user', content: turn.question });
    messages.push({ role: 'assistant', content: stripCitations(turn.answer).trim() });
  }

  messages.push({ role: 'user', content: `${formatSources(input.hits)}\n\nQuestion: ${input.question.trim()}` });
  return messages;
}

/** Formats retrieved passages as numbered sources with their paths and heading paths. */
export function formatSources(hits: SearchHit[]): string {
  const blocks = hits.map((hit, position) => {
    const heading = hit.chunk.heading === '' ? '' : `, section "${hit.chunk.heading}"`;
    return `[${position + 1}] (${hit.chunk.source}${heading})\n${hit.chunk.text.trim()}`;
  });
  return `Sources:\n\n${blocks.join('\n\n')}`;
}

/** Returns the newest turns whose estimated tokens fit `budget`, oldest first. */
export function recentTurns(turns: Turn[], budget: number): Turn[] {
  const kept: Turn[] = [];
  let total = 0;
  for (let index = turns.length - 1; index >= 0; index -= 1) {
    const turn = turns[index]!;
    total += estimateTokens(turn.question) + estimateTokens(turn.answer);
    if (total > budget) break;
    kept.unshift(turn);
  }
  return kept;
}

/** How long after the previous answer a question can still be a follow-up to it: 10 minutes. */
export const followUpWindowMs = 10 * 60_000;

/** Maximum words of a question that a back-referencing pronoun alone marks as a follow-up. */
const maxBackReferenceWords = 12;

/** Openings that tie a question to the previous one, such as "and for datasets?". */
const followUpOpening = /^(and|also|but|so|then|what about|how about|what if|same for)\b/i;
/** "Why" questions are follow-ups only when this short ("why?", "why not?"); a longer one names its own topic. */
const shortWhy = /^(why|how so)\b\W*(\w+\W*)?$/i;
/** Pronouns that refer back to an earlier turn, as whole words. */
const backReference = /\b(it|its|this|that|these|those|they|them|their|there)\b/i;

/**
 * Returns true when `question` clearly refers back to `previous`: it opens with a
 * connector ("and", "what about") or is short and contains a pronoun such as "it"
 * or "those", and the previous answer is at most `followUpWindowMs` old.
 */
export function isFollowUp(question: string, previous: Turn | undefined, now: number): boolean {
  if (previous === undefined || now - previous.at > followUpWindowMs) return false;

  const trimmed = question.trim();
  if (followUpOpening.test(trimmed) || shortWhy.test(trimmed)) return true;
  // NOTE: "that" is also a conjunction ("how do I know that my Space runs?"), so such a
  // short question is still searched with the previous one. When that search finds
  // nothing, the engine repeats it with the question alone.
  const words = trimmed.split(/\s+/).length;
  return words <= maxBackReferenceWords && backReference.test(trimmed);
}

/**
 * Returns the query to search with. A follow-up such as "and for datasets?" is
 * searched together with the previous question, because on its own it names no
 * topic. Any other question is searched alone.
 */
export function buildRetrievalQuery(question: string, turns: Turn[], now: number): string {
  const previous = turns.at(-1);
  const trimmed = question.trim();
  if (previous === undefined || !isFollowUp(trimmed, previous, now)) return trimmed;
  return `${previous.question.trim()} ${trimmed}`;
}
