// HTML to Markdown-like lines: tags are dropped and their text kept, headings
// become `#` lines and `<pre>` becomes a fenced block so the chunker can follow
// the structure. Every output line carries the source line it came from.
import type { SourceLine } from './loaders.js';

/** Elements whose content is not text for a reader. */
const hiddenElements = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object']);

/** Elements that start a new line. */
const blockElements = new Set(
  'address article aside blockquote br dd details div dl dt figcaption figure footer form header hr li main nav ol p section summary table tbody thead tfoot tr ul'.split(' '),
);

const tokenPattern = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\/?([A-Za-z][\w:-]*)(?:\s[^<>]*)?\/?>|[^<]+|</g;

const namedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', copy: '©', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };

/** Converts an HTML document to lines of text with their 1-based source line numbers. */
export function htmlToLines(html: string): SourceLine[] {
  const writer = new LineWriter();
  let hiddenDepth = 0;
  let hiddenName = '';
  let preformatted = false;

  for (const match of html.matchAll(tokenPattern)) {
    const token = match[0];
    const name = match[1]?.toLowerCase();
    const closing = token.startsWith('</');

    if (hiddenDepth > 0) {
      // Inside <script>, <style> and the like only the matching closing tag matters.
      if (name === hiddenName) hiddenDepth += closing ? -1 : token.endsWith('/>') ? 0 : 1;
    } else if (name !== undefined) {
      if (hiddenElements.has(name) && !closing && !token.endsWith('/>')) {
        hiddenDepth = 1;
        hiddenName = name;
      } else if (/^h[1-6]$/.test(name)) {
        writer.breakLine();
        if (!closing) writer.append(`${'#'.repeat(Number(name[1]))} `);
      } else if (name === 'pre') {
        writer.breakLine();
        writer.append('```');
        writer.breakLine();
        preformatted = !closing;
      } else if (name === 'li' && !closing) {
        writer.breakLine();
        writer.append('- ');
      } else if (name === 'tr') {
        writer.breakLine();
        if (!closing) writer.append('|');
      } else if ((name === 'td' || name === 'th') && closing) {
        writer.append(' |');
      } else if (blockElements.has(name)) {
        writer.breakLine();
      }
    } else if (!token.startsWith('<!') && !token.startsWith('<![')) {
      writer.text(decodeEntities(token), preformatted);
    }

    writer.advance(token);
  }
  return writer.finish();
}

/** Builds output lines while tracking the source line of the text being read. */
class LineWriter {
  private readonly lines: SourceLine[] = [];
  private current = '';
  private currentLine: number | undefined;
  private sourceLine = 1;

  /** Appends text: collapsing white space, or line by line inside `<pre>`. */
  text(text: string, preformatted: boolean): void {
    const parts = text.split(/\r\n|\r|\n/);
    parts.forEach((part, index) => {
      const line = this.sourceLine + index;
      if (index > 0) this.breakLine(preformatted);
      if (preformatted) {
        this.currentLine ??= line;
        this.current += part;
      } else {
        this.append(part.replace(/\s+/g, ' '), line);
      }
    });
  }

  /** Appends text to the current line; leading white space is dropped. */
  append(text: string, line = this.sourceLine): void {
    if (this.current === '' && text.trim() === '') return;
    this.currentLine ??= line;
    this.current += this.current === '' ? text.trimStart() : text;
  }

  /** Ends the current output line; an empty one is kept only when `keepEmpty` is set (inside `<pre>`). */
  breakLine(keepEmpty = false): void {
    const line = this.currentLine ?? this.sourceLine;
    if (this.current.trim() !== '') {
      this.lines.push({ text: keepEmpty ? this.current.trimEnd() : this.current.trim(), line });
    } else if (keepEmpty && this.currentLine !== undefined) {
      this.lines.push({ text: '', line });
    }
    this.current = '';
    this.currentLine = undefined;
  }

  /** Moves the source line counter past a consumed token. */
  advance(token: string): void {
    for (const char of token) if (char === '\n') this.sourceLine++;
  }

  finish(): SourceLine[] {
    this.breakLine();
    return this.lines;
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return namedEntities[body.toLowerCase()] ?? entity;
  });
}
