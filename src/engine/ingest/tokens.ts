// Token counting for chunk budgets when an embedder brings no tokenizer.
import type { TokenCounter } from './chunker.js';

/**
 * Estimates the WordPiece tokens of `text`, erring high. A punctuation character
 * counts one, and a word of one or two characters one per character. A longer
 * word counts one per started group of three characters plus one, or one per one
 * and a half characters for hashes and keys. On English technical
 * Markdown this is about 1.9 times the bert-base-uncased count, and a test checks
 * that chunks cut with it fit the budget under that tokenizer.
 */
export const estimateTokens: TokenCounter = (text) => {
  let tokens = 0;
  // CJK characters are split one by one, as BERT's basic tokenizer does.
  for (const match of text.matchAll(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)) {
    const word = match[0];
    if (word.length <= 2) tokens += word.length;
    else if (isIrregular(word)) tokens += Math.ceil(word.length / 1.5) + 1;
    else tokens += Math.ceil(word.length / 3) + 1;
  }
  return tokens;
};

/** Hashes, keys and identifiers (digits among letters, capitals inside a word) break into short pieces. */
function isIrregular(word: string): boolean {
  return (/\p{N}/u.test(word) && /\p{L}/u.test(word)) || /.\p{Lu}/u.test(word);
}
