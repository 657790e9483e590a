// Markdown clean-up before chunking: drops front matter, HTML comments and
// HTML tags (keeping the text between them) outside code, and keeps every
// line break so that line numbers still point into the source file.

/** Opening or closing line of a fenced code block: three or more backticks or tildes, indented or not (fences inside list items are indented). */
export const fencePattern = /^[ \t]*(`{3,}|~{3,})/;

/** HTML elements whose tags are stripped from Markdown; unknown lowercase names such as `<your-token>` are kept as text. */
const htmlElements = new Set(
  (
    'a abbr audio b blockquote br caption center code col colgroup dd del details div dl dt em figcaption figure font ' +
    'h1 h2 h3 h4 h5 h6 hr i iframe img input ins kbd li mark ol p picture pre s samp section small source span strong ' +
    'sub summary sup table tbody td tfoot th thead tr u ul video'
  ).split(' '),
);

/** Elements that sit inside a line of text; their tags vanish, other tags leave a space. */
const inlineElements = new Set('a abbr b code del em font i ins kbd mark s samp small span strong sub sup u'.split(' '));

/** Comments, tags and inline code spans; code spans are matched so that their content is left alone. */
const inlinePattern = /(`+)[^`][\s\S]*?\1|<!--[\s\S]*?-->|<\/?([A-Za-z][\w.:-]*)((?:\s[^<>]*)?)\/?>/g;

/**
 * Returns `text` with front matter, HTML comments and HTML tags outside code
 * replaced by blank space. The result has exactly as many lines as `text`.
 */
export function cleanMarkdown(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  blankFrontMatter(lines);

  // Clean each run of lines outside fenced code as one string, so comments and tags may span lines.
  const output: string[] = [];
  let prose: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const marker = fencePattern.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      appendAll(output, cleanProse(prose));
      output.push(line);
      prose = [];
      fence = marker;
    } else if (fence !== undefined) {
      output.push(line);
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
    } else {
      prose.push(line);
    }
  }
  appendAll(output, cleanProse(prose));
  return output.join('\n');
}

/** Appends one by one: spreading a long array into `push` passes every item as an argument and overflows the call stack. */
function appendAll(target: string[], items: string[]): void {
  for (const item of items) target.push(item);
}

/** Blanks YAML (`---`) or TOML (`+++`) front matter at the top of the file. */
function blankFrontMatter(lines: string[]): void {
  const opening = lines[0]?.trim();
  if (opening !== '---' && opening !== '+++') return;
  const closingIndex = lines.findIndex((line, index) => index > 0 && (line.trim() === opening || (opening === '---' && line.trim() === '...')));
  if (closingIndex < 0) return;
  for (let index = 0; index <= closingIndex; index++) lines[index] = '';
}

function cleanProse(lines: string[]): string[] {
  if (lines.length === 0) return [];
  const cleaned = lines.join('\n').replace(inlinePattern, (match: string, ticks: string | undefined, tagName: string | undefined, attributes: string | undefined) => {
    if (ticks !== undefined) return match;
    if (tagName === undefined) return keepLineBreaks(match);
    if (!isStrippedTag(tagName, attributes ?? '')) return match;
    if (match.includes('\n') || inlineElements.has(tagName.toLowerCase())) return keepLineBreaks(match);
    return ' ';
  });
  return cleaned.split('\n').map((line) => line.trimEnd());
}

/** HTML elements, JSX-style components (capitalised) and any tag with attributes are stripped. */
function isStrippedTag(name: string, attributes: string): boolean {
  if (htmlElements.has(name.toLowerCase())) return true;
  if (/^[A-Z]/.test(name)) return true;
  return attributes.includes('=');
}

/** Replaces a match with its line breaks only, so the line count stays the same. */
function keepLineBreaks(match: string): string {
  return match.replace(/[^\n]/g, '');
}
