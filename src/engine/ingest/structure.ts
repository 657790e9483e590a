// Document structure for chunking: sections under their heading path, and the
// blocks of each section (paragraphs and lists, fenced code, tables).
import type { SourceLine } from './loaders.js';
import { fencePattern } from './markdown.js';

/** Text under one heading, with the path of headings above it. */
export interface Section {
  /** Heading texts from the outermost down, e.g. `['Spaces', 'Secrets']`; empty before the first heading. */
  path: string[];
  lines: SourceLine[];
}

/** Kind of a block; code and tables are kept whole whenever they fit in one chunk. */
export type BlockKind = 'prose' | 'code' | 'table';

/** Consecutive lines that belong together. */
export interface Block {
  kind: BlockKind;
  lines: SourceLine[];
}

const atxHeading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const setextUnderline = /^ {0,3}(=+|-+)[ \t]*$/;
const tableRow = /^\s*\|/;
const tableDelimiter = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Splits cleaned lines into sections at ATX (`## Title`) and setext headings outside fenced code. */
export function splitSections(lines: SourceLine[]): Section[] {
  const sections: Section[] = [];
  const stack: { level: number; text: string }[] = [];
  let current: Section = { path: [], lines: [] };
  let fence: string | undefined;

  const startSection = (level: number, text: string): void => {
    sections.push(current);
    while (stack.length > 0 && (stack[stack.length - 1]?.level ?? 0) >= level) stack.pop();
    if (text !== '') stack.push({ level, text });
    current = { path: stack.map((entry) => entry.text), lines: [] };
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as SourceLine;
    const marker = fencePattern.exec(line.text)?.[1];
    if (fence !== undefined) {
      current.lines.push(line);
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.text.trim() === marker) fence = undefined;
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      current.lines.push(line);
      continue;
    }

    const atx = atxHeading.exec(line.text);
    if (atx) {
      startSection(atx[1]?.length ?? 1, cleanHeading(atx[2] ?? ''));
      continue;
    }

    // A setext underline turns the paragraph line above it into a heading.
    const next = lines[index + 1];
    if (next !== undefined && isSetextHeading(line, next, current.lines)) {
      startSection(next.text.trim().startsWith('=') ? 1 : 2, cleanHeading(line.text));
      index++;
      continue;
    }
    current.lines.push(line);
  }
  sections.push(current);
  return sections.filter((section) => section.lines.some((line) => line.text.trim() !== ''));
}

function isSetextHeading(line: SourceLine, next: SourceLine, previous: SourceLine[]): boolean {
  if (line.text.trim() === '' || !setextUnderline.test(next.text)) return false;
  if (tableRow.test(line.text) || /^\s*([-*+]|\d+[.)])\s/.test(line.text)) return false;
  // Only a one-line paragraph counts, so a `---` rule under a paragraph stays a rule.
  const before = previous[previous.length - 1];
  return before === undefined || before.text.trim() === '';
}

/** Removes Markdown decoration from a heading: `[[anchor]]` ids, links, code ticks, emphasis, tags and closing `#`s. */
export function cleanHeading(text: string): string {
  return text
    .replace(/\[\[[^\]]*\]\]/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*_]/g, '')
    .replace(/\s+#+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits a section's lines into blocks: fenced code, tables, and prose separated by blank lines. */
export function splitBlocks(lines: SourceLine[]): Block[] {
  const blocks: Block[] = [];
  let index = 0;

  while (index < lines.length) {
    const line = lines[index] as SourceLine;
    if (line.text.trim() === '') {
      index++;
      continue;
    }

    const marker = fencePattern.exec(line.text)?.[1];
    if (marker !== undefined) {
      const end = findFenceEnd(lines, index, marker);
      blocks.push({ kind: 'code', lines: lines.slice(index, end + 1) });
      index = end + 1;
    } else if (tableRow.test(line.text)) {
      let end = index;
      while (end + 1 < lines.length && tableRow.test((lines[end + 1] as SourceLine).text)) end++;
      blocks.push({ kind: 'table', lines: lines.slice(index, end + 1).map(compactTableRow) });
      index = end + 1;
    } else {
      let end = index;
      while (end + 1 < lines.length && isProseContinuation((lines[end + 1] as SourceLine).text)) end++;
      blocks.push({ kind: 'prose', lines: lines.slice(index, end + 1) });
      index = end + 1;
    }
  }
  return blocks;
}

/**
 * Collapses the padding of a table row and shortens delimiter cells to `---`. Every dash
 * is a token for WordPiece, so a padded delimiter row alone can use up a chunk's budget.
 */
function compactTableRow(line: SourceLine): SourceLine {
  const text = tableDelimiter.test(line.text) ? line.text.replace(/(:?)-{3,}(:?)/g, '$1---$2') : line.text;
  return { text: text.replace(/[ \t]{2,}/g, ' ').trim(), line: line.line };
}

function isProseContinuation(text: string): boolean {
  return text.trim() !== '' && !fencePattern.test(text) && !tableRow.test(text);
}

/** Index of the closing fence line, or of the last line when the block is never closed. */
function findFenceEnd(lines: SourceLine[], start: number, marker: string): number {
  for (let index = start + 1; index < lines.length; index++) {
    const text = (lines[index] as SourceLine).text;
    const closing = fencePattern.exec(text)?.[1];
    if (closing !== undefined && closing[0] === marker[0] && closing.length >= marker.length && text.trim() === closing) return index;
  }
  return lines.length - 1;
}

/** Returns true when the second line of a table block is its `|---|---|` delimiter row. */
export function hasTableHeader(block: Block): boolean {
  const second = block.lines[1];
  return block.kind === 'table' && second !== undefined && tableDelimiter.test(second.text);
}
