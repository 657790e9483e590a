// Token counting for chunk budgets when an embedder brings no tokenizer.
import type { TokenCounter } from './chunker.js';

/**
 * Estimates the WordPiece tokens of `text` from above: one token per punctuation
 * character and one per started group of three characters of a word. A test
 * checks it against the MiniLM tokenizer on the shared corpus; any tokenizer
 * that splits words more finely than that can still exceed it.
 */
export const estimateTokens: TokenCounter = (text) => {
  let tokens = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)) {
    const word = match[0];
    tokens += word.length === 1 ? 1 : Math.ceil(word.length / 3);
  }
  return tokens;
};
