// Writes the figures of a run into the docs: the generated part of
// docs/benchmark.md and the headline list of README.md's Performance section,
// each between a pair of HTML comment markers that the rest of the file keeps.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Thrown when a file lacks the markers that delimit the generated part. */
export class MissingMarkersError extends Error {
  override readonly name = 'MissingMarkersError';

  constructor(
    readonly file: string,
    readonly start: string,
    readonly end: string,
  ) {
    super(`${file} has no ${start} ... ${end} pair; add both markers on their own lines where the figures belong.`);
  }
}

/** Replaces the text between `start` and `end` in `file` with `content`. */
export function replaceBetweenMarkers(file: string, start: string, end: string, content: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new MissingMarkersError(file, start, end);
  const updated = `${text.slice(0, from + start.length)}\n${content.trim()}\n${text.slice(to)}`;
  writeFileSync(file, updated);
}

/** Markers of the generated results in docs/benchmark.md. */
export const benchmarkMarkers = { start: '<!-- bench:results:start -->', end: '<!-- bench:results:end -->' } as const;

/** Markers of the headline figures in README.md. */
export const readmeMarkers = { start: '<!-- bench:headline:start -->', end: '<!-- bench:headline:end -->' } as const;
