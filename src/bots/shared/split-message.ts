// Splits long Markdown answers into messages that fit a platform's length
// limit. Cuts prefer paragraph breaks, then line breaks, then spaces; a cut
// inside a fenced code block closes the fence and reopens it (with its
// language) in the next part, and no cut lands inside a surrogate pair or a
// Markdown link. Lengths are UTF-16 code units, which is never less than the
// character count that Discord and Slack enforce.

const fencePattern = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Fence marker and full opening line of the code block a line belongs to. */
interface OpenFence {
  marker: string;
  opener: string;
}

/** Splits `text` into parts of at most `maxLength` UTF-16 code units each. */
export function splitMessage(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 64) {
    throw new TypeError(`Expected \`maxLength\` to be a whole number from 64 and up, got ${maxLength}`);
  }
  if (text.length <= maxLength) return [text];

  const parts: string[] = [];
  let current: string[] = [];
  let currentLength = 0;
  let fence: OpenFence | undefined;
  // Fence state at the end of each line in `current`, so a cut can close it.
  let fenceAfter: (OpenFence | undefined)[] = [];

  const closing = (open: OpenFence | undefined): string => (open ? `\n${open.marker}` : '');

  const flush = (count: number): void => {
    const partLines = current.slice(0, count);
    const open = fenceAfter[count - 1];
    parts.push(partLines.join('\n').replace(/\s+$/, '') + closing(open));

    const rest = current.slice(count);
    while (rest.length > 0 && rest[0]!.trim() === '') rest.shift();
    current = open ? [open.opener, ...rest] : rest;
    fenceAfter = recomputeFences(current, open);
    currentLength = joinedLength(current);
  };

  for (const rawLine of text.split('\n')) {
    const pieces = splitLongLine(rawLine, maxLength - 24);

    for (const line of pieces) {
      const nextFence = advanceFence(fence, line);
      const added = (current.length > 0 ? 1 : 0) + line.length;

      // Room for the line plus a closing fence if the part ends inside a block.
      if (current.length > 0 && currentLength + added + closing(nextFence).length > maxLength) {
        flush(chooseCut(current, fenceAfter, maxLength));
        // The reopened fence and leftover lines may still leave no room; cut again.
        while (current.length > 1 && currentLength + 1 + line.length + closing(nextFence).length > maxLength) {
          flush(chooseCut(current, fenceAfter, maxLength));
        }
      }

      current.push(line);
      fenceAfter.push(nextFence);
      currentLength = joinedLength(current);
      fence = nextFence;
    }
  }

  if (current.some((line) => line.trim() !== '')) parts.push(current.join('\n').replace(/\s+$/, ''));
  return parts.filter((part) => part.trim() !== '');
}

/** Picks how many of `lines` to keep: the last blank-line break outside a code block in the second half, else all. */
function chooseCut(lines: string[], fenceAfter: (OpenFence | undefined)[], maxLength: number): number {
  let length = 0;
  let best = lines.length;
  const lengths = lines.map((line) => (length += line.length + 1));

  for (let i = lines.length - 1; i > 0; i--) {
    if (lengths[i - 1]! < maxLength / 2) break;
    if (lines[i]!.trim() === '' && fenceAfter[i] === undefined) {
      best = i;
      break;
    }
  }
  return Math.max(1, best);
}

/** Returns the fence state after `line`, given the state before it. */
function advanceFence(open: OpenFence | undefined, line: string): OpenFence | undefined {
  const match = fencePattern.exec(line);
  if (!match) return open;

  const marker = match[1]!;
  if (open === undefined) return { marker, opener: line.trimStart() };
  // A closing fence uses the same character, at least as many, and no info string.
  const closes = marker[0] === open.marker[0] && marker.length >= open.marker.length && match[2]!.trim() === '';
  return closes ? undefined : open;
}

/** Fence state after each line, starting from `open`. */
function recomputeFences(lines: string[], open: OpenFence | undefined): (OpenFence | undefined)[] {
  // The first line is the reopened opener when `open` is set: the block is open after it.
  let state: OpenFence | undefined = undefined;
  return lines.map((line, index) => {
    state = index === 0 && open ? open : advanceFence(state, line);
    return state;
  });
}

function joinedLength(lines: string[]): number {
  return lines.reduce((sum, line) => sum + line.length, 0) + Math.max(0, lines.length - 1);
}

/** Splits one line longer than `limit` at spaces, never inside a Markdown link or a surrogate pair. */
function splitLongLine(line: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = line;

  while (rest.length > limit) {
    const protectedRanges = linkRanges(rest);
    const insideLink = (index: number): boolean => protectedRanges.some(([start, end]) => index > start && index < end);

    let cut = rest.lastIndexOf(' ', limit);
    while (cut > 0 && insideLink(cut)) cut = rest.lastIndexOf(' ', cut - 1);

    if (cut <= limit / 4) {
      // No usable space: cut hard, but before a link that spans the limit and never between surrogates.
      cut = limit;
      const link = protectedRanges.find(([start, end]) => start < cut && end > cut);
      if (link && link[0] > 0) cut = link[0];
      if (isLowSurrogate(rest.charCodeAt(cut))) cut -= 1;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    } else {
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut + 1);
    }
  }
  pieces.push(rest);
  return pieces;
}

/** Start and end offsets of Markdown links `[text](url)` in `line`. */
function linkRanges(line: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const match of line.matchAll(/!?\[[^\]\n]*\]\([^)\s]*(?:\s+"[^"]*")?\)/g)) {
    ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
