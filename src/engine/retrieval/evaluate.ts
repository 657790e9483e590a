// Retrieval evaluation at file level: recall@1, recall@5 and MRR over
// questions with expected files, and how often questions that the documents
// do not answer get no passage at all.
import { readFile } from 'node:fs/promises';
import type { Retriever, SearchMode } from '../types.js';

/** One evaluation question; `expected_files` is empty when the documents do not answer it. */
export interface EvalQuestion {
  id?: string;
  question: string;
  expected_files: string[];
}

/** Outcome of one question. */
export interface EvalOutcome {
  id: string;
  question: string;
  expected: string[];
  /** Distinct source files in the order of their best hit. */
  files: string[];
  /** 1-based position of the first expected file in `files`, or 0 when none was found. */
  firstRelevantRank: number;
}

/** Aggregate figures; recall@k counts a question as found when any expected file is in the first k files. */
export interface EvalSummary {
  recall1: number;
  recall5: number;
  mrr: number;
  /** Number of questions with expected files. */
  answerable: number;
  /** Answerable questions for which nothing cleared the minimum relevance. */
  answerableDeclined: number;
  /** Number of questions with no expected files. */
  unanswerable: number;
  /** Share of unanswerable questions for which nothing cleared the minimum relevance (0 to 1). */
  unanswerableDeclined: number;
  mode: SearchMode;
  outcomes: EvalOutcome[];
}

/** Thrown for a questions file line that is not a valid question object. */
export class EvalQuestionError extends Error {
  override readonly name = 'EvalQuestionError';

  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`Line ${line} of ${file} ${problem}. Each line must be a JSON object with "question" (string) and "expected_files" (array of paths).`);
  }
}

/** Expected content of a questions file, appended to every questions file error. */
const questionsFileHint = 'Pass a JSON Lines file with question and expected_files on each line.';

/** Thrown when the questions file is missing, unreadable or contains no question. */
export class QuestionsFileError extends Error {
  override readonly name = 'QuestionsFileError';

  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${problem} ${questionsFileHint}`);
  }
}

/** Reads a JSON Lines file of questions; blank lines are ignored. Throws `QuestionsFileError` when there is no question to ask. */
export async function readQuestions(file: string): Promise<EvalQuestion[]> {
  const questions: EvalQuestion[] = [];
  const lines = (await readQuestionsFile(file)).split('\n');
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    let parsed: Partial<EvalQuestion>;
    try {
      parsed = JSON.parse(text) as Partial<EvalQuestion>;
    } catch {
      throw new EvalQuestionError(file, index + 1, 'is not valid JSON');
    }
    if (typeof parsed.question !== 'string' || !Array.isArray(parsed.expected_files) || !parsed.expected_files.every((f) => typeof f === 'string')) {
      throw new EvalQuestionError(file, index + 1, 'is missing "question" or "expected_files"');
    }
    questions.push({ id: typeof parsed.id === 'string' ? parsed.id : `line-${index + 1}`, question: parsed.question, expected_files: parsed.expected_files });
  });
  // Figures over no question would all read 0.000, which looks like a measurement.
  if (questions.length === 0) throw new QuestionsFileError(file, `Questions file ${file} contains no questions.`);
  return questions;
}

async function readQuestionsFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') throw new QuestionsFileError(file, `Questions file not found: ${file}.`);
    if (code === 'EISDIR') throw new QuestionsFileError(file, `Questions file ${file} is a folder.`);
    throw new QuestionsFileError(file, `Questions file ${file} could not be read (${code ?? message}).`);
  }
}

/** Runs every question through `retriever` and computes the file-level figures. */
export async function evaluateRetrieval(retriever: Retriever, questions: EvalQuestion[], options: { mode: SearchMode; k: number }): Promise<EvalSummary> {
  const outcomes: EvalOutcome[] = [];
  for (const question of questions) {
    const { hits } = await retriever.search(question.question, { mode: options.mode, k: options.k });
    const files = [...new Set(hits.map((hit) => hit.chunk.source))];
    const position = files.findIndex((file) => question.expected_files.includes(file));
    outcomes.push({ id: question.id ?? '', question: question.question, expected: question.expected_files, files, firstRelevantRank: position + 1 });
  }

  const answerable = outcomes.filter((outcome) => outcome.expected.length > 0);
  const unanswerable = outcomes.filter((outcome) => outcome.expected.length === 0);
  const share = (count: number, total: number): number => (total === 0 ? 0 : count / total);
  const foundWithin = (k: number): number => answerable.filter((o) => o.firstRelevantRank > 0 && o.firstRelevantRank <= k).length;

  return {
    recall1: share(foundWithin(1), answerable.length),
    recall5: share(foundWithin(5), answerable.length),
    mrr: share(answerable.reduce((sum, o) => sum + (o.firstRelevantRank > 0 ? 1 / o.firstRelevantRank : 0), 0), answerable.length),
    answerable: answerable.length,
    answerableDeclined: answerable.filter((o) => o.files.length === 0).length,
    unanswerable: unanswerable.length,
    unanswerableDeclined: share(unanswerable.filter((o) => o.files.length === 0).length, unanswerable.length),
    mode: options.mode,
    outcomes,
  };
}
