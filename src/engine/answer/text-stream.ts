// Helpers for streaming a finished text as deltas, and the notes that end
// answers that did not complete.
import type { AnswerEnd } from '../types.js';

/** Splits text into deltas of a few words each, keeping all whitespace, so that joining them gives the text back. */
export function splitIntoDeltas(text: string, wordsPerDelta = 4): string[] {
  const words = text.match(/\s*\S+/g) ?? [];
  const deltas: string[] = [];
  for (let index = 0; index < words.length; index += wordsPerDelta) {
    deltas.push(words.slice(index, index + wordsPerDelta).join(''));
  }
  const tail = text.slice(words.join('').length);
  if (tail !== '') deltas.push(tail);
  return deltas;
}

/** Answer when retrieval finds nothing relevant; the model is not called. */
export const notFoundAnswer =
  'I could not find this in the docs. Try rephrasing the question with the words the docs would use, or ask about a topic they cover.';

/** Note appended to an answer that ended early, by why it ended. */
export const endNotes: Partial<Record<AnswerEnd, string>> = {
  timeout: '_(The answer was cut short because the language model stopped responding in time.)_',
  interrupted: '_(The answer was interrupted by an error of the language model. Ask again for a complete answer.)_',
  aborted: '_(Cancelled.)_',
};

/** Returns the separator and note to append to `text` for an answer that ended with `end`, or '' when none applies. */
export function noteFor(end: AnswerEnd, text: string): string {
  const note = endNotes[end];
  if (note === undefined) return '';
  return text.trim() === '' ? note : `\n\n${note}`;
}
