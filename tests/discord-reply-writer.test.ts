// ReplyWriter against an in-memory reply target: splitting, freezing,
// final corrections, cleanup of its pacer lane, and failures.
import { describe, expect, it } from 'vitest';
import type { ReplyTarget } from '../src/bots/discord/reply-target.js';
import { ReplyWriter } from '../src/bots/discord/reply-writer.js';
import { EditPacer } from '../src/bots/shared/edit-pacer.js';
import { silentLogger } from '../src/observability/logger.js';

/** A reply target that keeps messages in memory and can fail edits of one message. */
class MemoryTarget implements ReplyTarget {
  readonly lane = 'memory';
  readonly channelId = 'channel';
  readonly guildId = undefined;
  readonly messages = new Map<string, string[]>();
  readonly removed: string[] = [];
  failEditsOf: { id: string; error: Error } | undefined;
  private nextId = 1;

  async start(content: string): Promise<string> {
    return this.continue(content);
  }

  async continue(content: string): Promise<string> {
    const id = `m${this.nextId++}`;
    this.messages.set(id, [content]);
    return id;
  }

  async edit(messageId: string, content: string): Promise<void> {
    if (this.failEditsOf?.id === messageId) throw this.failEditsOf.error;
    this.messages.get(messageId)?.push(content);
  }

  async remove(messageId: string): Promise<void> {
    this.removed.push(messageId);
  }

  async typing(): Promise<void> {}

  contents(): string[] {
    return [...this.messages.entries()].filter(([id]) => !this.removed.includes(id)).map(([, history]) => history.at(-1) as string);
  }
}

async function writerWithFirst(target: MemoryTarget, pacer: EditPacer, onFailure: (error: unknown) => void = () => {}) {
  const writer = new ReplyWriter({ target, pacer, logger: silentLogger(), maxLength: 100, onFailure });
  writer.adoptFirst(await target.start('placeholder'), 'placeholder');
  return writer;
}

const line = (n: number) => `line ${n} ${'x'.repeat(30)}`;

describe('ReplyWriter', () => {
  it('freezes full parts and edits the last', async () => {
    const target = new MemoryTarget();
    const pacer = new EditPacer({ floorMs: 0 });
    const writer = await writerWithFirst(target, pacer);

    let text = '';
    for (let n = 1; n <= 8; n++) {
      text += `${line(n)}\n`;
      writer.update(text);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await writer.finish(text.trimEnd());

    const contents = target.contents();
    expect(contents.length).toBeGreaterThanOrEqual(3);
    expect(contents.join('\n').split('\n')).toEqual(text.trimEnd().split('\n'));
    for (const content of contents) expect(content.length).toBeLessThanOrEqual(100);
    expect(pacer.laneCount).toBe(0);
  });

  it('releases its lane after parts created full', async () => {
    const target = new MemoryTarget();
    const pacer = new EditPacer({ floorMs: 0 });
    const writer = await writerWithFirst(target, pacer);
    const text = Array.from({ length: 9 }, (_, i) => line(i + 1)).join('\n');

    // One large delta creates several continuation parts that are full from the start.
    writer.update(text);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await writer.finish(text);

    expect(target.messages.size).toBeGreaterThanOrEqual(4);
    expect(pacer.laneCount).toBe(0);
  });

  it('corrects earlier parts when the final text differs', async () => {
    const target = new MemoryTarget();
    const pacer = new EditPacer({ floorMs: 0 });
    const writer = await writerWithFirst(target, pacer);

    writer.update([line(1), line(2), line(3), line(4)].join('\n'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await writer.finish(['CHANGED', line(2), line(3), line(4)].join('\n'));

    expect(target.contents()[0]?.startsWith('CHANGED')).toBe(true);
    expect(pacer.laneCount).toBe(0);
  });

  it('deletes continuations that the final text does not need', async () => {
    const target = new MemoryTarget();
    const pacer = new EditPacer({ floorMs: 0 });
    const writer = await writerWithFirst(target, pacer);

    writer.update([line(1), line(2), line(3), line(4)].join('\n'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await writer.finish('Short final answer.');

    expect(target.removed.length).toBeGreaterThan(0);
    expect(target.contents()).toEqual(['Short final answer.']);
  });

  it('reports the first failure once and stops', async () => {
    const target = new MemoryTarget();
    const pacer = new EditPacer({ floorMs: 0 });
    const failures: unknown[] = [];
    const writer = await writerWithFirst(target, pacer, (error) => failures.push(error));
    target.failEditsOf = { id: 'm1', error: new Error('Unknown Message') };

    writer.update('first text');
    await new Promise((resolve) => setTimeout(resolve, 10));
    writer.update('more text');

    await expect(writer.finish('final text')).rejects.toThrow('Unknown Message');
    expect(failures).toHaveLength(1);
    expect(writer.failed).toBeDefined();
    expect(pacer.laneCount).toBe(0);
  });
});
