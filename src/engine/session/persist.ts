// Saving sessions across restarts: gzip-compressed JSON, written to a temp
// file and renamed over the target so that a crash never leaves half a file.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { SessionRecord, Turn } from './store.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Format tag and version of the sessions file. */
const fileFormat = 'ragbot-sessions';
const fileVersion = 1;

/** Thrown when a sessions file exists but cannot be read as one. */
export class SessionsFileError extends Error {
  override readonly name = 'SessionsFileError';

  constructor(readonly file: string, problem: string, options?: { cause?: unknown }) {
    super(`The sessions file ${file} is invalid: ${problem}. Delete it to start with no saved sessions.`, options);
  }
}

/** Writes sessions to `file` atomically (temp file in the same folder, then rename). */
export async function writeSessionsFile(file: string, sessions: SessionRecord[], savedAt: number): Promise<void> {
  const payload = JSON.stringify({ format: fileFormat, version: fileVersion, savedAt, sessions });
  const compressed = await gzipAsync(Buffer.from(payload, 'utf8'));

  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, compressed);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Reads sessions from `file`. Returns undefined when the file does not exist, and
 * throws `SessionsFileError` when it is not a valid sessions file. Invalid entries
 * inside a valid file are skipped and counted in `skipped`.
 */
export async function readSessionsFile(file: string): Promise<{ sessions: SessionRecord[]; skipped: number } | undefined> {
  let compressed: Buffer;
  try {
    compressed = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse((await gunzipAsync(compressed)).toString('utf8'));
  } catch (error) {
    throw new SessionsFileError(file, 'it is not gzip-compressed JSON', { cause: error });
  }

  if (!isObject(parsed) || parsed.format !== fileFormat || parsed.version !== fileVersion || !Array.isArray(parsed.sessions)) {
    throw new SessionsFileError(file, `expected format "${fileFormat}" version ${fileVersion} with a sessions list`);
  }

  const sessions = parsed.sessions.filter(isSessionRecord);
  return { sessions, skipped: parsed.sessions.length - sessions.length };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSessionRecord(value: unknown): value is SessionRecord {
  if (!isObject(value) || !isObject(value.key) || typeof value.lastActiveAt !== 'number' || !Array.isArray(value.turns)) return false;

  const key = value.key;
  const keyValid = typeof key.platform === 'string' && typeof key.channel === 'string' && typeof key.user === 'string'
    && (key.team === undefined || typeof key.team === 'string');
  return keyValid && value.turns.every(isTurn);
}

function isTurn(value: unknown): value is Turn {
  return isObject(value) && typeof value.question === 'string' && typeof value.answer === 'string' && typeof value.at === 'number';
}
