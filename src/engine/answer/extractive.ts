// Extractive answers, the default when no chat model is configured: the best
// passages quoted with their sources, cited [1], [2], ... in rank order.
import type { AnswerSource, SearchHit } from '../types.js';
import { citedSources } from './citations.js';
import type { ProfileSettings } from './profiles.js';

/** An answer built without a model. */
export interface ExtractiveAnswer {
  text: string;
  sources: AnswerSource[];
}

/** Quotes the top passages, one per source section, each followed by its citation. */
export function buildExtractiveAnswer(hits: SearchHit[], profile: ProfileSettings, baseUrls: Record<string, string>): ExtractiveAnswer {
  // One passage per file and section: neighbouring chunks of one section repeat each other.
  const seen = new Set<string>();
  const chosen: number[] = [];
  for (const [position, hit] of hits.entries()) {
    const key = `${hit.chunk.source}\u0000${hit.chunk.heading}`;
    if (seen.has(key)) continue;
    seen.add(key);
    chosen.push(position + 1);
    if (chosen.length === profile.extractivePassages) break;
  }

  const blocks = chosen.map((original, index) => {
    const chunk = hits[original - 1]!.chunk;
    const title = chunk.heading === '' ? chunk.source : `${chunk.heading} (${chunk.source})`;
    return `**${title}** [${index + 1}]\n${quote(excerpt(chunk.text, profile.extractiveChars))}`;
  });

  return {
    text: `Here are the most relevant passages from the docs:\n\n${blocks.join('\n\n')}`,
    sources: citedSources(hits, chosen, baseUrls),
  };
}

/**
 * Shortens a passage to at most about `maxChars`, cutting after a sentence or line
 * when one ends in the second half, and closing a code fence left open by the cut.
 */
export function excerpt(text: string, maxChars: number): string {
  // A heading line at the start repeats the section title shown above the quote.
  let body = text.trim().replace(/^(#{1,6} [^\n]*\n+)+/, '').trim();

  if (body.length > maxChars) {
    const head = body.slice(0, maxChars);
    const boundary = Math.max(head.lastIndexOf('. '), head.lastIndexOf('.\n'), head.lastIndexOf('\n'));
    const space = head.lastIndexOf(' ');
    let cut = maxChars;
    if (boundary >= maxChars / 2) cut = boundary + 1;
    else if (space > 0) cut = space;
    body = `${head.slice(0, cut).trimEnd()} …`;
  }

  const fences = body.match(/^\s*```/gm)?.length ?? 0;
  if (fences % 2 === 1) body += '\n```';
  return body;
}

/** Prefixes every line with `> ` so the passage shows as a quote in Markdown. */
function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}
