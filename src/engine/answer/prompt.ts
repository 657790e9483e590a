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

/** Openings that mark a question as a follow-up to the previous one. */
const followUpOpening = /^(and|but|also|so|then|what about|how about|what if|why|why not|how so|is it|does it|can it|are they|do they|same for|and for)\b/i;
/** Words that refer back to an earlier turn. */
const backReference = /\b(it|its|this|that|these|those|they|them|their|there|one|ones|same)\b/i;

/**
 * Returns the query to search with. A short or back-referencing follow-up such as
 * "and for datasets?" is searched together with the previous question, because on
 * its own it names no topic.
 */
export function buildRetrievalQuery(question: string, turns: Turn[]): string {
  const previous = turns.at(-1);
  const trimmed = question.trim();
  if (previous === undefined) return trimmed;

  const words = trimmed.split(/\s+/).length;
  const isFollowUp = words <= 4 || followUpOpening.test(trimmed) || (words <= 12 && backReference.test(trimmed));
  return isFollowUp ? `${previous.question.trim()} ${trimmed}` : trimmed;
}
