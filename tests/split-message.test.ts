import { describe, expect, it } from 'vitest';
import { splitMessage } from '../src/bots/shared/split-message.js';

/** Counts fence lines; an even count means every block that opens also closes. */
function fenceCount(part: string): number {
  return part.split('\n').filter((line) => /^ {0,3}(`{3,}|~{3,})/.test(line)).length;
}

describe('splitMessage', () => {
  it('returns short text unchanged', () => {
    expect(splitMessage('hello', 2000)).toEqual(['hello']);
  });

  it('rejects a tiny limit', () => {
    expect(() => splitMessage('x', 10)).toThrow('Expected `maxLength` to be a whole number from 64 and up');
  });

  it('prefers paragraph breaks', () => {
    const paragraph = 'word '.repeat(60).trim();
    const text = [paragraph, paragraph, paragraph, paragraph].join('\n\n');
    const parts = splitMessage(text, 700);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(700);
    expect(parts.join('\n\n')).toBe(text);
  });

  it('closes and reopens a code block across the cut', () => {
    const code = Array.from({ length: 120 }, (_, i) => `console.log(${i}); // line ${i}`).join('\n');
    const text = `Intro paragraph.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter the block.`;
    const parts = splitMessage(text, 2000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(fenceCount(part) % 2).toBe(0);
    }
    expect(parts[1]!.startsWith('```ts\n')).toBe(true);
    // Every code line survives exactly once.
    const joined = parts.join('\n');
    for (let i = 0; i < 120; i++) expect(joined.split(`console.log(${i});`).length - 1).toBe(1);
    expect(parts.at(-1)!.endsWith('After the block.')).toBe(true);
  });

  it('never cuts a surrogate pair', () => {
    const text = '😀'.repeat(3000);
    const parts = splitMessage(text, 2000);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(/^[\udc00-\udfff]/.test(part)).toBe(false);
      expect(/[\ud800-\udbff]$/.test(part)).toBe(false);
    }
    expect(parts.join('')).toBe(text);
  });

  it('never cuts inside a markdown link', () => {
    const link = '[the spaces overview page](https://huggingface.co/docs/hub/spaces-overview)';
    const text = Array.from({ length: 80 }, () => `see ${link}`).join(' ');
    const parts = splitMessage(text, 500);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(500);
      const opened = (part.match(/\[the spaces/g) ?? []).length;
      const closed = (part.match(/spaces-overview\)/g) ?? []).length;
      expect(opened).toBe(closed);
    }
  });

  it('keeps all text of a 5000-character answer', () => {
    const text = Array.from({ length: 100 }, (_, i) => `Line ${i} ${'x'.repeat(40)}`).join('\n');
    const parts = splitMessage(text, 2000);
    expect(parts.length).toBe(3);
    expect(parts.join('\n')).toBe(text);
  });
});
