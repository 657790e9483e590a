// Finding and reading source documents: which files are ingested, which are
// skipped (with a one-line reason), and how each kind becomes plain lines that
// keep their line numbers in the original file.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { htmlToLines } from './html.js';
import { cleanMarkdown } from './markdown.js';

/** Kind of a source document, decided by its file extension. */
export type SourceKind = 'markdown' | 'text' | 'html';

/** A file found by `scanSources` that will be read. */
export interface SourceFile {
  /** Path relative to the ingested folder, with `/` separators. */
  path: string;
  absolutePath: string;
  kind: SourceKind;
}

/** A file left out of the index, with the reason shown to the user. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** One line of a document after cleaning, with its 1-based line number in the source file. */
export interface SourceLine {
  text: string;
  line: number;
}

/** A read document: its content hash and its cleaned lines. */
export interface LoadedSource {
  hash: string;
  bytes: number;
  lines: SourceLine[];
}

/** Extensions that are ingested, and as what. */
export const sourceExtensions: Readonly<Record<string, SourceKind>> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.html': 'html',
  '.htm': 'html',
};

/** Files above this size are skipped: they are almost never prose and would be read whole. */
export const maxSourceBytes = 20 * 1024 * 1024;

const supportedList = Object.keys(sourceExtensions).join(', ');

/**
 * Lists the ingestible files under `root` (a folder or a single file), sorted by path.
 * Hidden files and folders (names starting with `.`) are left out silently; every
 * other file that is not ingested is listed in `skipped` with its reason.
 */
export async function scanSources(root: string): Promise<{ files: SourceFile[]; skipped: SkippedFile[] }> {
  const rootStat = await stat(root).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? new SourceNotFoundError(root) : error;
  });
  const files: SourceFile[] = [];
  const skipped: SkippedFile[] = [];

  if (rootStat.isFile()) {
    classify(path.basename(root), root, files, skipped);
  } else {
    await walk(root, '', files, skipped);
  }

  files.sort((a, b) => compareStrings(a.path, b.path));
  skipped.sort((a, b) => compareStrings(a.path, b.path));
  return { files, skipped };
}

async function walk(root: string, relativeDir: string, files: SourceFile[], skipped: SkippedFile[]): Promise<void> {
  const entries = await readdir(path.join(root, relativeDir), { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    const absolute = path.join(root, relative);

    if (entry.isDirectory()) {
      await walk(root, relative, files, skipped);
    } else if (entry.isFile()) {
      classify(relative, absolute, files, skipped);
    } else if (entry.isSymbolicLink()) {
      // Links are not followed, so a link to a parent folder cannot make the walk loop.
      skipped.push({ path: relative, reason: 'symbolic link (not followed)' });
    } else {
      skipped.push({ path: relative, reason: 'not a regular file' });
    }
  }
}

function classify(relative: string, absolute: string, files: SourceFile[], skipped: SkippedFile[]): void {
  const extension = path.extname(relative).toLowerCase();
  const kind = sourceExtensions[extension];
  if (kind !== undefined) {
    files.push({ path: relative, absolutePath: absolute, kind });
    return;
  }
  const reason = extension === '' ? `no file extension (ingested types: ${supportedList})` : `unsupported file type ${extension} (ingested types: ${supportedList})`;
  skipped.push({ path: relative, reason });
}

/** Thrown when the folder or file to ingest does not exist. */
export class SourceNotFoundError extends Error {
  override readonly name = 'SourceNotFoundError';

  constructor(readonly sourcePath: string) {
    super(`The folder to ingest was not found: ${sourcePath}. Pass an existing folder or file, or set KNOWLEDGE_DIR.`);
  }
}

/** Thrown by `loadSource` for a file that has an ingestible name but content that cannot be used. */
export class UnreadableSourceError extends Error {
  override readonly name = 'UnreadableSourceError';

  constructor(
    readonly sourcePath: string,
    readonly reason: string,
  ) {
    super(`${sourcePath}: ${reason}`);
  }
}

/**
 * Reads a file, checks that it is UTF-8 text, and converts it to cleaned lines.
 * Throws `UnreadableSourceError` when the file is too large, cannot be read, is
 * not text, or cannot be parsed.
 */
export async function loadSource(file: SourceFile): Promise<LoadedSource> {
  const buffer = await readSource(file);
  const hash = createHash('sha256').update(buffer).digest('hex');
  const text = decodeText(buffer);
  if (text === undefined) throw new UnreadableSourceError(file.path, 'binary content or not UTF-8 text');

  try {
    return { hash, bytes: buffer.length, lines: toLines(file.kind, text) };
  } catch (error) {
    throw new UnreadableSourceError(file.path, `could not be parsed as ${file.kind}: ${firstLine(error)}`);
  }
}

async function readSource(file: SourceFile): Promise<Buffer> {
  try {
    const info = await stat(file.absolutePath);
    if (info.size > maxSourceBytes) throw new UnreadableSourceError(file.path, `larger than ${maxSourceBytes / 1024 / 1024} MB`);
    return await readFile(file.absolutePath);
  } catch (error) {
    if (error instanceof UnreadableSourceError) throw error;
    throw new UnreadableSourceError(file.path, readFailureReason(error));
  }
}

/** One-line reason for a failed read, e.g. `could not be read (EACCES: permission denied)`. */
export function readFailureReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  // Node's system error messages read "CODE: description, syscall 'path'"; the path is already shown beside the reason.
  if (typeof code === 'string' && typeof message === 'string' && message.startsWith(`${code}: `)) return `could not be read (${message.split(', ')[0]})`;
  return `could not be read: ${firstLine(error)}`;
}

/** First line of an error message, for one-line skip reasons. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? '';
}

/** Decodes UTF-8 text; returns undefined for binary content (a NUL byte or an invalid sequence). */
export function decodeText(buffer: Buffer): string | undefined {
  if (buffer.includes(0)) return undefined;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

/** Converts a document's text to cleaned lines according to its kind. */
export function toLines(kind: SourceKind, text: string): SourceLine[] {
  switch (kind) {
    case 'markdown':
      return numberLines(cleanMarkdown(text));
    case 'html':
      return htmlToLines(text);
    case 'text':
      return numberLines(text);
  }
}

function numberLines(text: string): SourceLine[] {
  return text.split(/\r\n|\r|\n/).map((line, index) => ({ text: line.trimEnd(), line: index + 1 }));
}

/** Orders paths by UTF-16 code units, the same on every machine (unlike `localeCompare`). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
