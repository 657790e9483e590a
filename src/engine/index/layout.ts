// Layout of the data folder and the atomic switch between index versions.
//
//   DATA_DIR/CURRENT             name of the active index folder, replaced atomically
//   DATA_DIR/index-<version>/    manifest.json, chunks.jsonl, vectors.f32, index.faiss
//   DATA_DIR/.build-<id>/        an index being written; renamed when complete
//   DATA_DIR/ingest.lock         pid of the ingest that is writing
//
// A new index is written into a build folder, renamed to its final name, and only
// then named in CURRENT. A crash at any point leaves CURRENT naming a complete index.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IngestLockedError } from './errors.js';

/** File names inside an index folder. */
export const indexFiles = {
  manifest: 'manifest.json',
  chunks: 'chunks.jsonl',
  vectors: 'vectors.f32',
  faiss: 'index.faiss',
} as const;

const currentFile = 'CURRENT';
const lockFile = 'ingest.lock';
const indexPrefix = 'index-';
const buildPrefix = '.build-';

/** Returns the active index folder named by CURRENT, or undefined when there is none. */
export function currentIndexDir(dataDir: string): string | undefined {
  const pointer = path.join(dataDir, currentFile);
  if (!existsSync(pointer)) return undefined;
  const name = readFileSync(pointer, 'utf8').trim();
  if (!name.startsWith(indexPrefix) || name.includes('/')) return undefined;
  return path.join(dataDir, name);
}

/** Returns true when `dataDir` contains a complete index (CURRENT names a folder with a manifest). */
export function hasIndex(dataDir: string): boolean {
  const dir = currentIndexDir(dataDir);
  return dir !== undefined && existsSync(path.join(dir, indexFiles.manifest));
}

/** Creates an empty build folder for a new index. */
export async function createBuildDir(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const dir = path.join(dataDir, `${buildPrefix}${process.pid}-${Date.now().toString(36)}`);
  await mkdir(dir);
  return dir;
}

/**
 * Makes a finished build folder the active index: renames it to `index-<version>`,
 * then replaces CURRENT through a rename, which is atomic on POSIX file systems.
 * Keeps the previous index folder (a server may still be reading it) and removes older ones.
 */
export async function commitBuild(dataDir: string, buildDir: string, version: string): Promise<string> {
  const previous = currentIndexDir(dataDir);
  const finalDir = path.join(dataDir, `${indexPrefix}${version}`);
  if (finalDir === previous) throw new Error(`refusing to replace the active index folder ${finalDir}`);
  await rm(finalDir, { recursive: true, force: true });
  await rename(buildDir, finalDir);

  const pointerTemp = path.join(dataDir, `${currentFile}.tmp`);
  await writeFileSynced(pointerTemp, `${path.basename(finalDir)}\n`);
  await rename(pointerTemp, path.join(dataDir, currentFile));
  await syncDir(dataDir);

  await removeStale(dataDir, [finalDir, previous]);
  return finalDir;
}

/** Lists the index folders of a data folder (active or not). */
export function listIndexDirs(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .filter((name) => name.startsWith(indexPrefix))
    .map((name) => path.join(dataDir, name));
}

/** Removes build folders left by crashed ingests and index folders other than `keep`. */
export async function removeStale(dataDir: string, keep: (string | undefined)[]): Promise<void> {
  if (!existsSync(dataDir)) return;
  const kept = new Set(keep.filter((dir): dir is string => dir !== undefined).map((dir) => path.basename(dir)));
  for (const name of await readdir(dataDir)) {
    if ((name.startsWith(buildPrefix) || name.startsWith(indexPrefix)) && !kept.has(name)) {
      await rm(path.join(dataDir, name), { recursive: true, force: true });
    }
  }
}

/** Writes a file and flushes it to disk before returning. */
export async function writeFileSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (renames) to disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Takes the ingest lock of a data folder and returns a function that releases it.
 * A lock left by a process that no longer runs is taken over.
 */
export async function acquireIngestLock(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, lockFile);

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) throw new IngestLockedError(file, holder);
      await rm(file, { force: true });
    }
  }
  throw new IngestLockedError(file, 0);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
