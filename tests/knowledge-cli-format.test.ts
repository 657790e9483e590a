import { describe, expect, it } from 'vitest';
import { formatSummary } from '../src/cli/commands/eval.js';
import { formatReport } from '../src/cli/commands/ingest.js';
import { countOf } from '../src/cli/plural.js';
import type { IngestReport } from '../src/engine/knowledge.js';
import type { EvalSummary } from '../src/engine/retrieval/evaluate.js';

function report(overrides: Partial<IngestReport> = {}): IngestReport {
  return { files: 1, skipped: [], added: 1, changed: 0, removed: 0, unchanged: 0, chunks: 1, embedded: 1, version: 'abc', ms: 1200, ...overrides };
}

function summary(overrides: Partial<EvalSummary> = {}): EvalSummary {
  return { recall1: 1, recall5: 1, mrr: 1, answerable: 1, answerableDeclined: 1, unanswerable: 1, unanswerableDeclined: 1, mode: 'hybrid', outcomes: [], ...overrides };
}

describe('countOf', () => {
  it('uses the singular for one', () => {
    expect(countOf(1, 'file')).toBe('1 file');
  });

  it('uses the plural otherwise', () => {
    expect(countOf(0, 'file')).toBe('0 files');
    expect(countOf(2, 'file')).toBe('2 files');
    expect(countOf(2, 'index', 'indexes')).toBe('2 indexes');
  });
});

describe('formatReport', () => {
  it('writes singular counts', () => {
    const text = formatReport(report({ skipped: [{ path: 'logo.png', reason: 'unsupported file type .png' }] }));
    expect(text).toContain('Indexed 1 file: 1 added');
    expect(text).toContain('1 chunk, 1 embedded in this run');
    expect(text).toContain('Skipped 1 file:\n  logo.png: unsupported file type .png');
  });

  it('writes plural counts', () => {
    const text = formatReport(report({ files: 2, added: 2, chunks: 5 }));
    expect(text).toContain('Indexed 2 files: 2 added');
    expect(text).toContain('5 chunks, 1 embedded in this run');
    expect(text).not.toContain('Skipped');
  });

  it('ends with the warnings', () => {
    const text = formatReport(report({ files: 0, chunks: 0, warnings: ['The index is empty.'] }));
    expect(text.split('\n').at(-1)).toBe('Warning: The index is empty.');
  });
});

describe('formatSummary', () => {
  it('writes singular counts', () => {
    const lines = formatSummary(summary(), false).split('\n');
    expect(lines[0]).toBe('mode hybrid, 1 answerable question:');
    expect(lines[2]).toBe('  1 answerable question got no chunk above the minimum relevance');
    expect(lines[3]).toBe('1 unanswerable question: 100% got no chunk above the minimum relevance');
  });

  it('writes plural counts', () => {
    const lines = formatSummary(summary({ answerable: 3, answerableDeclined: 0, unanswerable: 2 }), false).split('\n');
    expect(lines[0]).toBe('mode hybrid, 3 answerable questions:');
    expect(lines[2]).toBe('  0 answerable questions got no chunk above the minimum relevance');
    expect(lines[3]).toBe('2 unanswerable questions: 100% got no chunk above the minimum relevance');
  });
});
