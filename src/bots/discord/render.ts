// Text that the Discord adapter puts into messages: placeholder, streaming
// cursor, the compact sources line and the notes that end an answer early.
import type { AnswerProfile, AnswerSource } from '../../engine/types.js';

/** Discord's limit on the content of one message, in characters. */
export const discordMessageLimit = 2000;

/** Content of the reply before the first token arrives. */
export const placeholderText = '-# Searching the docs…';

/** Appended to the text while the answer is still streaming. */
export const streamingCursor = ' ▌';

/** Ends an answer that the shutdown deadline cut short. */
export const shutdownNote = 'Stopped early because ragbot is restarting. Please ask again in a minute.';

/** Replaces the answer when something unexpected failed. */
export const failureNote = 'Something went wrong while answering. Please try again.';

/** Shown when the final answer has no text at all. */
export const emptyAnswerNote = 'I could not find an answer to that in the docs.';

/** Maximum sources listed under an answer, by profile. */
const maxSources: Record<AnswerProfile, number> = { normal: 5, compact: 3 };

/** Returns the text shown while streaming: the answer so far with a cursor, or the placeholder. */
export function renderStreaming(text: string): string {
  return text.trim() === '' ? placeholderText : `${text}${streamingCursor}`;
}

/**
 * Renders the one-line sources list, e.g. ``-# Sources: [1] <https://…> · [2] `hub/x.md` ``.
 * Links are wrapped in `<>` so that Discord shows no preview for them.
 */
export function renderSources(sources: readonly AnswerSource[], profile: AnswerProfile = 'normal'): string {
  if (sources.length === 0) return '';
  const listed = [...sources].sort((a, b) => a.index - b.index).slice(0, maxSources[profile]);
  const items = listed.map((source) => `[${source.index}] ${source.url ? `<${source.url}>` : inlineCode(source.path)}`);
  return `-# Sources: ${items.join(' · ')}`;
}

/** Renders the complete answer: the text, then the sources line. */
export function renderFinal(answer: string, sources: readonly AnswerSource[], profile: AnswerProfile = 'normal'): string {
  const text = answer.trim() === '' ? emptyAnswerNote : answer.trimEnd();
  const sourcesLine = renderSources(sources, profile);
  return sourcesLine === '' ? text : `${text}\n\n${sourcesLine}`;
}

/** Renders the partial answer (if any) followed by a short note in small text. */
export function renderWithNote(partial: string, note: string): string {
  const text = partial.trimEnd();
  return text === '' ? note : `${text}\n\n-# ${note}`;
}

/** Wraps a path in backticks so that Markdown in file names (underscores, asterisks) shows as typed. */
function inlineCode(path: string): string {
  return path.includes('`') ? path : `\`${path}\``;
}
