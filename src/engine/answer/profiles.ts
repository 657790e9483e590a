// Answer profiles: how long an answer may get and how long the engine waits for it.
import type { AnswerProfile } from '../types.js';

/** Limits and style of one answer profile. */
export interface ProfileSettings {
  /** Maximum new tokens the model may generate. */
  maxTokens: number;
  /** Maximum wait in ms for the first token, and for each gap between tokens after it. */
  timeLimitMs: number;
  /** Number of passages quoted in an extractive answer. */
  extractivePassages: number;
  /** Maximum characters quoted from each passage in an extractive answer. */
  extractiveChars: number;
  /** Style instruction added to the system prompt. */
  style: string;
}

/** Default settings: `normal` for desktop chat, `compact` for phones or on request. */
export const defaultProfiles: Readonly<Record<AnswerProfile, ProfileSettings>> = {
  normal: {
    maxTokens: 2000,
    timeLimitMs: 30_000,
    extractivePassages: 3,
    extractiveChars: 700,
    style: 'Be concise. Use short paragraphs or a list, and include commands or code only when the sources show them.',
  },
  compact: {
    maxTokens: 800,
    timeLimitMs: 15_000,
    extractivePassages: 2,
    extractiveChars: 350,
    style: 'Answer in at most three short sentences, without headings.',
  },
};
