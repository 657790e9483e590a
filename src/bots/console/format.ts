// Terminal rendering shared by `ragbot ask` and `ragbot chat`.
import type { AnswerSource } from '../../engine/types.js';

/** Formats the sources list printed after an answer, one `[n] path > heading (url)` line each. */
export function formatSourcesList(sources: AnswerSource[]): string {
  if (sources.length === 0) return '';

  const lines = sources.map((source) => {
    const heading = source.heading === '' ? '' : ` > ${source.heading}`;
    const url = source.url === undefined ? '' : `  ${source.url}`;
    return `  [${source.index}] ${source.path}${heading}${url}`;
  });
  return ['Sources:', ...lines].join('\n');
}
