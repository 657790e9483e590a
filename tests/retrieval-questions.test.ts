import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalQuestionError, QuestionsFileError, readQuestions } from '../src/engine/retrieval/evaluate.js';

const hint = 'Pass a JSON Lines file with question and expected_files on each line.';

let workDir: string;

function writeQuestions(name: string, content: string): string {
  const file = path.join(workDir, name);
  writeFileSync(file, content);
  return file;
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-questions-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('readQuestions', () => {
  it('reads questions and skips blank lines', async () => {
    const file = writeQuestions('ok.jsonl', `${JSON.stringify({ question: 'q1', expected_files: ['a.md'] })}\n\n${JSON.stringify({ id: 'x', question: 'q2', expected_files: [] })}\r\n`);
    expect(await readQuestions(file)).toEqual([
      { id: 'line-1', question: 'q1', expected_files: ['a.md'] },
      { id: 'x', question: 'q2', expected_files: [] },
    ]);
  });

  it('explains a missing file', async () => {
    const file = path.join(workDir, 'missing.jsonl');
    const error = await readQuestions(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuestionsFileError);
    expect((error as Error).message).toBe(`Questions file not found: ${file}. ${hint}`);
  });

  it('explains a folder', async () => {
    await expect(readQuestions(workDir)).rejects.toThrow(`Questions file ${workDir} is a folder. ${hint}`);
  });

  it('rejects an empty file', async () => {
    const file = writeQuestions('empty.jsonl', '');
    await expect(readQuestions(file)).rejects.toThrow(`Questions file ${file} contains no questions. ${hint}`);
  });

  it('rejects a file of blank lines', async () => {
    const file = writeQuestions('blank.jsonl', '\n  \n\r\n');
    await expect(readQuestions(file)).rejects.toBeInstanceOf(QuestionsFileError);
  });

  it('names the line of invalid JSON', async () => {
    const file = writeQuestions('invalid.jsonl', `${JSON.stringify({ question: 'q1', expected_files: [] })}\n\n{"question": "q2",\n`);
    const error = await readQuestions(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EvalQuestionError);
    expect((error as EvalQuestionError).line).toBe(3);
    expect((error as Error).message).toMatch(new RegExp(`^Line 3 of ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON\\.`));
  });

  it('names the line of a missing field', async () => {
    const file = writeQuestions('field.jsonl', JSON.stringify({ question: 'q1' }));
    await expect(readQuestions(file)).rejects.toThrow(`Line 1 of ${file} is missing "question" or "expected_files".`);
  });
});
