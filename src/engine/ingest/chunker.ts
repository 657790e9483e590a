// Structure-aware chunking: sections at headings, then blocks packed into
// chunks that fit the embedding model's token budget, with a small overlap of
// prose between consecutive chunks of one section.
import type { SourceLine } from './loaders.js';
import { hasTableHeader, splitBlocks, splitSections, type Block, type BlockKind } from './structure.js';

/** A chunk before it gets its id and source path. */
export interface ChunkDraft {
  heading: string;
  lineStart: number;
  lineEnd: number;
  text: string;
}

/** Counts the word pieces of a text, without the special tokens the model adds. */
export type TokenCounter = (text: string) => number;

/** Options of `chunkDocument`. */
export interface ChunkerOptions {
  /** Token budget of the whole embedding input (heading path, text and the two special tokens). */
  chunkTokens: number;
  /** Tokens of prose repeated from the end of one chunk at the start of the next. */
  overlapTokens: number;
  countTokens: TokenCounter;
}

/** Special tokens that BERT-style models add around every input (`[CLS]` and `[SEP]`). */
const specialTokens = 2;

/** Share of the budget a heading path may take; longer paths lose their outer headings. */
const maxHeadingShare = 0.25;

/** Times a section is packed again with a smaller budget when its chunks came out too long. */
const maxRepackAttempts = 3;

/** Smallest text budget worth packing again for. */
const minTextBudget = 16;

/** Separator between a chunk's heading path and its text in the embedding input. */
const headingSeparator = '\n\n';

/** Returns the text that is embedded for a chunk: its heading path, a blank line, then its text. */
export function embeddingText(chunk: { heading: string; text: string }): string {
  return chunk.heading === '' ? chunk.text : `${chunk.heading}${headingSeparator}${chunk.text}`;
}

/** A piece of a block that is never split further: a whole block, or part of one that is too long. */
interface Unit {
  text: string;
  lineStart: number;
  lineEnd: number;
  tokens: number;
  kind: BlockKind;
  /** Index of the block the unit comes from; units of one block are joined by a line break. */
  block: number;
  /** Lines of a prose unit, for taking the overlap from its end. */
  lines?: SourceLine[];
}

/** Value that `chunkDocumentSteps` yields between pieces of work, so that the caller can let other tasks run. */
export const chunkPause: unique symbol = Symbol('chunkPause');

/** Output of a chunking step: values, with `chunkPause` between pieces of work. */
type Steps<T> = Generator<T | typeof chunkPause, void, undefined>;

/** Characters of text tokenized between two pauses of `chunkDocumentSteps`. */
const charactersPerPause = 32_768;

/**
 * Characters per token above which a text is split without being counted whole first.
 * WordPiece averages about four characters per token on English text, so a longer text
 * cannot fit the budget unless it consists of unknown words of over 100 characters.
 * Counting a 1 MB block whole would block the event loop for most of a second.
 */
const maxCharactersPerToken = 32;

/** Counts the characters tokenized since the last pause. */
class PauseClock {
  private characters = 0;

  /** Adds tokenized characters; returns true when a pause is due. */
  tick(characters: number): boolean {
    this.characters += characters;
    if (this.characters < charactersPerPause) return false;
    this.characters = 0;
    return true;
  }
}

/** Splits a document's cleaned lines into chunks whose embedding input fits `chunkTokens`. */
export function chunkDocument(lines: SourceLine[], options: ChunkerOptions): ChunkDraft[] {
  const chunks: ChunkDraft[] = [];
  for (const step of chunkDocumentSteps(lines, options)) if (step !== chunkPause) chunks.push(step);
  return chunks;
}

/**
 * Yields the chunks of `chunkDocument`, section by section, with `chunkPause` after
 * about every 32 KiB of text tokenized, so that a caller can chunk a large file
 * without blocking the event loop for the whole file.
 */
export function* chunkDocumentSteps(lines: SourceLine[], options: ChunkerOptions): Steps<ChunkDraft> {
  const clock = new PauseClock();
  for (const section of splitSections(lines)) {
    const heading = fitHeading(section.path, options);
    const blocks = splitBlocks(section.lines);
    let budget = options.chunkTokens - specialTokens - headingCost(heading, options.countTokens);

    // Counts of the parts add up for WordPiece, which never makes a token of white space. The
    // whole embedding input is still counted once per chunk, and the section is packed again with
    // a smaller budget if a tokenizer does count separators.
    for (let attempt = 0; ; attempt++) {
      const units: Unit[] = [];
      for (const [index, block] of blocks.entries()) {
        for (const unit of toUnits(block, index, budget, options.countTokens, clock)) {
          if (unit === chunkPause) yield unit;
          else units.push(unit);
        }
      }

      const drafts: ChunkDraft[] = [];
      for (const draft of packUnits(units, heading, budget, options, clock)) {
        if (draft === chunkPause) yield draft;
        else drafts.push(draft);
      }
      let excess = 0;
      for (const draft of drafts) {
        excess = Math.max(excess, options.countTokens(embeddingText(draft)) + specialTokens - options.chunkTokens);
        if (clock.tick(draft.text.length)) yield chunkPause;
      }
      if (excess === 0 || attempt === maxRepackAttempts || budget - excess < minTextBudget) {
        yield* drafts;
        break;
      }
      budget -= excess;
    }
  }
}

function headingCost(heading: string, countTokens: TokenCounter): number {
  return heading === '' ? 0 : countTokens(`${heading}${headingSeparator}`);
}

/** Joins the heading path, dropping outer headings (then trailing words) until it fits its share of the budget. */
function fitHeading(path: string[], options: ChunkerOptions): string {
  const limit = Math.floor(options.chunkTokens * maxHeadingShare);
  let parts = [...path];
  while (parts.length > 1 && options.countTokens(parts.join(' > ')) > limit) parts = parts.slice(1);
  let heading = parts.join(' > ');
  while (heading !== '' && options.countTokens(heading) > limit) heading = heading.split(' ').slice(0, -1).join(' ');
  return heading;
}

/** Turns a block into units: the whole block when it fits the budget, else pieces that do. */
function* toUnits(block: Block, index: number, budget: number, countTokens: TokenCounter, clock: PauseClock): Steps<Unit> {
  const text = block.lines.map((line) => line.text).join('\n');
  if (text.length <= budget * maxCharactersPerToken) {
    const tokens = countTokens(text);
    if (clock.tick(text.length)) yield chunkPause;
    if (tokens <= budget) {
      const first = block.lines[0] as SourceLine;
      const last = block.lines[block.lines.length - 1] as SourceLine;
      yield { text, lineStart: first.line, lineEnd: last.line, tokens, kind: block.kind, block: index, lines: block.kind === 'prose' ? block.lines : undefined };
      return;
    }
  }

  switch (block.kind) {
    case 'code':
      yield* splitCode(block, index, budget, countTokens, clock);
      return;
    case 'table':
      yield* splitTable(block, index, budget, countTokens, clock);
      return;
    case 'prose':
      yield* splitProse(block.lines, index, budget, countTokens, clock);
      return;
  }
}

/** Splits a long code block at line boundaries; every piece is reopened and closed with the block's fence when the fence lines are short. */
function* splitCode(block: Block, index: number, budget: number, countTokens: TokenCounter, clock: PauseClock): Steps<Unit> {
  const opening = block.lines[0] as SourceLine;
  const closingLine = block.lines[block.lines.length - 1] as SourceLine;
  const fence = /^[ \t]*(`{3,}|~{3,})/.exec(opening.text)?.[1] ?? '```';
  const closed = block.lines.length > 1 && closingLine.text.trim() === fence;
  const body = block.lines.slice(1, closed ? -1 : undefined);
  // The fence lines are repeated only while they leave most of the budget for the code itself.
  const fullFrame = countTokens(`${opening.text}\n${fence}`);
  const frame = fullFrame <= budget / 2 ? fullFrame : 0;
  const wrap = (text: string): string => (frame > 0 ? `${opening.text}\n${text}\n${fence}` : text);
  for (const group of groupLines(body, budget - frame, countTokens, clock)) {
    if (group === chunkPause) yield group;
    else yield { ...group, text: wrap(group.text), tokens: group.tokens + frame, kind: 'code', block: index };
  }
}

/** Splits a long table between rows; every piece repeats the header and delimiter rows when they are short. */
function* splitTable(block: Block, index: number, budget: number, countTokens: TokenCounter, clock: PauseClock): Steps<Unit> {
  // The header rows are repeated only while they leave most of the budget for the rows.
  let header = hasTableHeader(block) ? block.lines.slice(0, 2) : [];
  const headerText = header.map((line) => line.text).join('\n');
  let headerTokens = header.length > 0 ? countTokens(headerText) : 0;
  if (headerTokens > budget / 2) {
    header = [];
    headerTokens = 0;
  }
  const rows = block.lines.slice(header.length);
  for (const group of groupLines(rows, budget - headerTokens, countTokens, clock)) {
    if (group === chunkPause) yield group;
    else yield { ...group, text: header.length > 0 ? `${headerText}\n${group.text}` : group.text, tokens: group.tokens + headerTokens, kind: 'table', block: index };
  }
}

/** Splits long prose into its lines, and long lines at sentences, then words; packing regroups them. */
function* splitProse(lines: SourceLine[], index: number, budget: number, countTokens: TokenCounter, clock: PauseClock): Steps<Unit> {
  for (const line of lines) {
    for (const piece of splitLine(line, budget, countTokens, clock)) {
      if (piece === chunkPause) yield piece;
      else yield { text: piece.line.text, lineStart: piece.line.line, lineEnd: piece.line.line, tokens: piece.tokens, kind: 'prose', block: index, lines: [piece.line] };
    }
  }
}

type LineGroup = Pick<Unit, 'text' | 'lineStart' | 'lineEnd' | 'tokens' | 'lines'>;

/** A line, or part of a line, with its token count. */
interface LinePiece {
  line: SourceLine;
  tokens: number;
}

/** Groups consecutive lines into pieces of at most `budget` tokens, splitting any line that alone is too long. */
function* groupLines(lines: SourceLine[], budget: number, countTokens: TokenCounter, clock: PauseClock): Steps<LineGroup> {
  let current: LineGroup | undefined;
  for (const line of lines) {
    for (const piece of splitLine(line, budget, countTokens, clock)) {
      if (piece === chunkPause) {
        yield piece;
      } else if (current !== undefined && current.tokens + piece.tokens <= budget) {
        current.text += `\n${piece.line.text}`;
        current.tokens += piece.tokens;
        current.lineEnd = piece.line.line;
        current.lines?.push(piece.line);
      } else {
        if (current !== undefined) yield current;
        current = { text: piece.line.text, lineStart: piece.line.line, lineEnd: piece.line.line, tokens: piece.tokens, lines: [piece.line] };
      }
    }
  }
  if (current !== undefined) yield current;
}

/** Splits one line into pieces of at most `budget` tokens: at sentence ends, then at spaces, then inside a word. */
function* splitLine(line: SourceLine, budget: number, countTokens: TokenCounter, clock: PauseClock): Steps<LinePiece> {
  if (line.text.length <= budget * maxCharactersPerToken) {
    const tokens = countTokens(line.text);
    if (clock.tick(line.text.length)) yield chunkPause;
    if (tokens <= budget) {
      yield { line, tokens };
      return;
    }
  }

  const sentences = line.text.split(/(?<=[.!?])\s+/);
  const words = sentences.length > 1 ? sentences : line.text.split(/\s+/);
  if (words.length === 1) {
    yield* splitWord(line, budget, countTokens, clock);
    return;
  }

  let current = '';
  for (const word of words) {
    if (current === '') {
      current = word;
      continue;
    }
    const candidate = `${current} ${word}`;
    // A candidate too long to fit is not counted, the same shortcut as for whole lines.
    const fits = candidate.length <= budget * maxCharactersPerToken && countTokens(candidate) <= budget;
    if (clock.tick(candidate.length)) yield chunkPause;
    if (fits) {
      current = candidate;
    } else {
      yield* splitLine({ text: current, line: line.line }, budget, countTokens, clock);
      current = word;
    }
  }
  if (current !== '') yield* splitLine({ text: current, line: line.line }, budget, countTokens, clock);
}

/** Cuts a single over-long word (a hash, a blob) into pieces by characters. */
function* splitWord(line: SourceLine, budget: number, countTokens: TokenCounter, clock: PauseClock): Steps<LinePiece> {
  let rest = line.text;
  while (rest !== '') {
    // Binary search for the longest prefix that fits; a single character always counts as at most a few tokens.
    let low = 1;
    let high = Math.min(rest.length, budget * maxCharactersPerToken);
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (countTokens(rest.slice(0, middle)) <= budget) low = middle;
      else high = middle - 1;
      if (clock.tick(middle)) yield chunkPause;
    }
    const text = rest.slice(0, low);
    yield { line: { text, line: line.line }, tokens: countTokens(text) };
    rest = rest.slice(low);
  }
}

/** Packs units into chunks of at most `budget` tokens, carrying an overlap of prose from one chunk to the next. */
function* packUnits(units: Unit[], heading: string, budget: number, options: ChunkerOptions, clock: PauseClock): Steps<ChunkDraft> {
  let current: Unit[] = [];
  let tokens = 0;

  for (const unit of units) {
    if (current.length > 0 && tokens + unit.tokens > budget) {
      const draft = toDraft(current, heading);
      yield draft;
      const overlap = takeOverlap(current, options);
      // Taking the overlap tokenizes lines, so a section of thousands of chunks is paced like the rest.
      if (clock.tick(draft.text.length)) yield chunkPause;
      // The overlap is dropped when it would push a whole block into the next chunk.
      current = overlap !== undefined && overlap.tokens + unit.tokens <= budget ? [overlap] : [];
      tokens = current.reduce((sum, item) => sum + item.tokens, 0);
    }
    current.push(unit);
    tokens += unit.tokens;
  }
  if (current.length > 0) yield toDraft(current, heading);
}

/**
 * Takes the trailing prose lines of a finished chunk, up to the overlap budget. When
 * even its last line is too long, takes that line's trailing sentences instead.
 * Code and tables are never carried over, so they are never repeated in part.
 */
function takeOverlap(units: Unit[], options: ChunkerOptions): Unit | undefined {
  if (options.overlapTokens === 0) return undefined;

  const taken: SourceLine[] = [];
  let tokens = 0;
  let block = -1;
  collect: for (let u = units.length - 1; u >= 0; u--) {
    const unit = units[u] as Unit;
    if (unit.kind !== 'prose' || unit.lines === undefined) break;
    block = block < 0 ? unit.block : block;
    for (let index = unit.lines.length - 1; index >= 0; index--) {
      const line = unit.lines[index] as SourceLine;
      const lineTokens = options.countTokens(line.text);
      if (tokens + lineTokens > options.overlapTokens) {
        if (taken.length === 0) {
          const tail = trailingSentences(line.text, options.overlapTokens, options.countTokens);
          if (tail !== '') {
            taken.unshift({ text: tail, line: line.line });
            tokens = options.countTokens(tail);
          }
        }
        break collect;
      }
      taken.unshift(line);
      tokens += lineTokens;
    }
  }
  if (taken.length === 0) return undefined;

  const first = taken[0] as SourceLine;
  const last = taken[taken.length - 1] as SourceLine;
  return { text: taken.map((line) => line.text).join('\n'), lineStart: first.line, lineEnd: last.line, tokens, kind: 'prose', block, lines: taken };
}

function trailingSentences(text: string, limit: number, countTokens: TokenCounter): string {
  const sentences = text.split(/(?<=[.!?])\s+/);
  let tail = '';
  for (let index = sentences.length - 1; index >= 1; index--) {
    const candidate = tail === '' ? (sentences[index] as string) : `${sentences[index]} ${tail}`;
    if (countTokens(candidate) > limit) break;
    tail = candidate;
  }
  return tail;
}

function toDraft(units: Unit[], heading: string): ChunkDraft {
  let text = '';
  let lineStart = Number.POSITIVE_INFINITY;
  let lineEnd = 0;
  units.forEach((unit, index) => {
    const previous = units[index - 1];
    if (previous !== undefined) text += previous.block === unit.block ? '\n' : '\n\n';
    text += unit.text;
    lineStart = Math.min(lineStart, unit.lineStart);
    lineEnd = Math.max(lineEnd, unit.lineEnd);
  });
  return { heading, lineStart, lineEnd, text };
}
