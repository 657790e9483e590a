// Question workloads: the eval questions, and a replay of many questions with
// the skew of a real help channel (a few asked often, many asked once) and
// surface variants of the same question (case, punctuation, spacing).
import { readFileSync } from 'node:fs';

/** Reads the `question` field of every line of a JSON Lines file. */
export function loadQuestions(file: string): string[] {
  const questions: string[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { question?: unknown };
    if (typeof record.question !== 'string' || record.question.trim() === '') {
      throw new Error(`${file}:${index + 1} has no "question" string; every line needs one.`);
    }
    questions.push(record.question);
  }
  if (questions.length === 0) throw new Error(`${file} contains no questions; add JSON lines with a "question" field.`);
  return questions;
}

/** Returns a seeded pseudo-random generator of numbers in [0, 1) (mulberry32), so every run replays the same workload. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Wordings that turn one eval question into a different question string, for
// the long tail of questions that are asked only once.
const openers = ['', 'quick question: ', 'sorry if this is obvious, but ', 'hi all, ', 'does anyone know: ', 'newbie here, '];
const closers = ['', ' (asking for my team)', ' on a free account', ' for a private repo', ' this week', ' thanks!'];

/** Builds `size` distinct questions: the plain eval questions first, then reworded ones. */
export function buildPopulation(questions: readonly string[], size: number): string[] {
  const population = [...questions];
  for (let round = 1; population.length < size; round += 1) {
    const opener = openers[round % openers.length]!;
    const closer = closers[Math.floor(round / openers.length) % closers.length]!;
    if (round >= openers.length * closers.length) {
      throw new Error(`Cannot build ${size} distinct questions from ${questions.length}; lower the population size.`);
    }
    for (const question of questions) {
      if (population.length >= size) break;
      population.push(`${opener}${question.replace(/[?.!\s]+$/, '')}${closer}?`);
    }
  }
  return population.slice(0, size);
}

/** Rewrites `question` with a case, punctuation or spacing change that leaves its meaning alone. */
export function surfaceVariant(question: string, random: () => number): string {
  const variants: Array<(q: string) => string> = [
    (q) => q.toLowerCase(),
    (q) => q.charAt(0).toUpperCase() + q.slice(1),
    (q) => q.toUpperCase(),
    (q) => q.replace(/[?.!]+$/, ''),
    (q) => `${q.replace(/[?.!]+$/, '')}??`,
    (q) => `  ${q.replace(/ /g, '  ')} `,
    (q) => q.replace(/,/g, '').replace(/'/g, ''),
  ];
  const pick = variants[Math.floor(random() * variants.length)]!;
  return pick(question);
}

/** Parameters of a replay; the defaults are the ones the report quotes. */
export interface ReplayOptions {
  draws: number;
  /** Distinct questions the draws come from. */
  population: number;
  /** Zipf exponent: the question of rank r is drawn with weight 1 / r^exponent. */
  exponent: number;
  /** Share of draws rewritten by `surfaceVariant`. */
  variantRate: number;
  seed: number;
}

/** Default replay: 1,000 draws, Zipf exponent 1.0 over 1,000 distinct questions, a third of them as variants. */
export const defaultReplay: ReplayOptions = { draws: 1000, population: 1000, exponent: 1.0, variantRate: 0.35, seed: 42 };

/** A replay and its best possible hit rate. */
export interface Replay {
  questions: string[];
  /** Distinct questions (before variants) among the draws. */
  distinct: number;
  /** Hit rate of a cache that maps every variant to its question and never evicts: 1 - distinct / draws. */
  ceiling: number;
  /** Draws whose question is drawn only once. */
  askedOnce: number;
  options: ReplayOptions;
}

/** Draws a replay of `options.draws` questions from the eval `questions`. */
export function buildReplay(questions: readonly string[], options: ReplayOptions = defaultReplay): Replay {
  const random = seededRandom(options.seed);
  const population = buildPopulation(questions, options.population);

  // Cumulative Zipf weights over ranks, for drawing by binary search.
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= population.length; rank += 1) {
    total += 1 / rank ** options.exponent;
    cumulative.push(total);
  }

  const counts = new Map<number, number>();
  const drawn: string[] = [];
  for (let i = 0; i < options.draws; i += 1) {
    const index = lowerBound(cumulative, random() * total);
    counts.set(index, (counts.get(index) ?? 0) + 1);
    const question = population[index]!;
    drawn.push(random() < options.variantRate ? surfaceVariant(question, random) : question);
  }

  const askedOnce = [...counts.values()].filter((count) => count === 1).length;
  return { questions: drawn, distinct: counts.size, ceiling: 1 - counts.size / options.draws, askedOnce, options };
}

/** Returns the first index whose value is at least `target`. */
function lowerBound(sorted: readonly number[], target: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Returns `count` distinct questions, numbering repeats so no two share a cache entry. */
export function distinctQuestions(questions: readonly string[], count: number): string[] {
  const result: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const base = questions[i % questions.length]!.replace(/[?.!\s]+$/, '');
    const round = Math.floor(i / questions.length);
    result.push(round === 0 ? `${base}?` : `${base} (case ${round + 1})?`);
  }
  return result;
}
