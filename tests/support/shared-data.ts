// Locates the shared test data (corpus, eval questions, models) that lives
// beside the repository in `../shared`; RAGBOT_SHARED_DIR overrides it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folder with `corpus/`, `eval/` and `models/`. */
export const sharedDir = path.resolve(process.env.RAGBOT_SHARED_DIR ?? path.join(repoRoot, '..', 'shared'));

/** Returns the path of `parts` inside the shared folder; throws with the fix when it is missing. */
export function sharedPath(...parts: string[]): string {
  const target = path.join(sharedDir, ...parts);
  if (!existsSync(target)) {
    throw new Error(`Shared test data not found: ${target}. Place the shared folder beside the repository or set RAGBOT_SHARED_DIR to it.`);
  }
  return target;
}
