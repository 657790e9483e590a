// Checked citations. The model gets sources numbered [1]..[n], and its answer
// may cite numbers that do not exist. `CitationFilter` runs over the token stream,
// drops markers that map to no source, and renumbers the valid ones in order
// of first citation, so the answer's first source is always [1].
import type { AnswerSource, SearchHit } from '../types.js';

/** A complete citation marker: `[2]` or a group such as `[1, 3]`. */
const markerPattern = /^\[\s*(\d{1,4}(?:\s*,\s*\d{1,4})*)\s*\]/;
/** The start of a marker that the next delta may complete, such as `[1` or `[1, `. */
const partialMarkerPattern = /^\[[\d,\s]*$/;
/** Maximum length of a partial marker held back; a longer text is plain text. */
const maxPartialMarker = 24;

/**
 * Streaming filter for citation markers. `push` takes raw model text and returns
 * text that is safe to show; `flush` returns what is held back at the end.
 * Markers inside code spans and fenced code blocks are left alone.
 */
export class CitationFilter {
  private pending = '';
  private heldSpace = '';
  /** Length of the backtick run that opened the current code span; 0 outside code. */
  private codeFence = 0;
  private readonly order: number[] = [];
  private readonly renumbered = new Map<number, number>();

  constructor(private readonly sourceCount: number) {}

  /** Original source numbers (1-based, as given to the model) in order of first citation. */
  get cited(): readonly number[] {
    return this.order;
  }

  /** Adds raw model text and returns the part that can be shown now. */
  push(text: string): string {
    this.pending += text;
    return this.drain(false);
  }

  /** Returns the rest of the text at the end of the stream. */
  flush(): string {
    return this.drain(true);
  }

  private drain(final: boolean): string {
    const text = this.pending;
    let out = this.heldSpace;
    this.heldSpace = '';
    let index = 0;

    while (index < text.length) {
      const char = text[index]!;

      // Backtick runs open and close code, where markers are not citations.
      if (char === '`') {
        let end = index;
        while (end < text.length && text[end] === '`') end += 1;
        if (end === text.length && !final) break;
        const run = end - index;
        if (this.codeFence === 0) this.codeFence = run;
        else if (run === this.codeFence) this.codeFence = 0;
        out += text.slice(index, end);
        index = end;
        continue;
      }

      // An inline code span never crosses a line, so a stray backtick cannot hide the rest of the answer.
      if (char === '\n' && this.codeFence > 0 && this.codeFence < 3) this.codeFence = 0;

      if (char === '[' && this.codeFence === 0) {
        const rest = text.slice(index);
        const marker = markerPattern.exec(rest);
        if (marker) {
          out = this.appendMarker(out, marker[1]!);
          index += marker[0].length;
          continue;
        }
        if (!final && rest.length <= maxPartialMarker && partialMarkerPattern.test(rest)) break;
      }

      out += char;
      index += 1;
    }
    this.pending = text.slice(index);

    // Trailing spaces wait for the next delta, because an invalid marker after them takes them away.
    if (!final) {
      const trimmed = out.replace(/[ \t]+$/, '');
      this.heldSpace = out.slice(trimmed.length);
      out = trimmed;
    }
    return out;
  }

  /** Appends the renumbered valid citations of one marker, or drops the marker and the spaces before it. */
  private appendMarker(out: string, numbers: string): string {
    const mapped: number[] = [];
    for (const part of numbers.split(',')) {
      const original = Number(part.trim());
      if (!Number.isInteger(original) || original < 1 || original > this.sourceCount) continue;

      let index = this.renumbered.get(original);
      if (index === undefined) {
        index = this.order.push(original);
        this.renumbered.set(original, index);
      }
      if (!mapped.includes(index)) mapped.push(index);
    }

    if (mapped.length === 0) return out.replace(/[ \t]+$/, '');
    return out + mapped.map((index) => `[${index}]`).join('');
  }
}

/** Removes citation markers, for earlier answers sent back to the model as conversation history. */
export function stripCitations(text: string): string {
  return text.replace(/[ \t]*\[\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*\]/g, '');
}

/**
 * Builds the sources list of an answer. `cited` holds 1-based positions in `hits`
 * in citation order; the source at position k gets index k + 1.
 */
export function citedSources(hits: SearchHit[], cited: readonly number[], baseUrls: Record<string, string>): AnswerSource[] {
  const sources: AnswerSource[] = [];
  for (const original of cited) {
    const hit = hits[original - 1];
    if (hit === undefined) continue;
    const url = sourceUrl(hit.chunk.source, baseUrls);
    sources.push({
      index: sources.length + 1,
      path: hit.chunk.source,
      heading: hit.chunk.heading,
      score: hit.score,
      ...(url === undefined ? {} : { url }),
    });
  }
  return sources;
}

/**
 * Returns the link of a source path from the longest matching folder prefix in `baseUrls`,
 * or undefined when none matches. Documentation sites serve `hub/spaces.md` as
 * `.../hub/spaces`, so `.md` and `.mdx` are dropped unless the base URL is a
 * repository file view (`/blob/`), which serves the file under its own name.
 */
export function sourceUrl(sourcePath: string, baseUrls: Record<string, string>): string | undefined {
  let best: string | undefined;
  for (const prefix of Object.keys(baseUrls)) {
    if (sourcePath.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  if (best === undefined) return undefined;

  const base = baseUrls[best]!;
  let rest = sourcePath.slice(best.length);
  if (!base.includes('/blob/')) rest = rest.replace(/\.mdx?$/, '');
  const separator = base.endsWith('/') || rest === '' ? '' : '/';
  return base + separator + encodeURI(rest);
}
