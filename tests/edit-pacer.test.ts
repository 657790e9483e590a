// EditPacer on its own: coalescing, the per-message floor, budget pacing
// from observed rate-limit figures, retries and failures.
import { describe, expect, it } from 'vitest';
import { EditPacer } from '../src/bots/shared/edit-pacer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class RateLimitedError extends Error {
  constructor(readonly retryAfterMs: number) {
    super('rate limited');
  }
}

/** A fixed-window bucket like Discord's, which reports its figures to the pacer after each request. */
function simulatedBucket(pacer: EditPacer, key: string, limit: number, windowMs: number) {
  let remaining = limit;
  let resetAt = 0;
  const state = { overruns: 0, requests: 0 };
  const take = () => {
    const now = Date.now();
    if (now >= resetAt) {
      remaining = limit;
      resetAt = now + windowMs;
    }
    state.requests += 1;
    if (remaining <= 0) state.overruns += 1;
    else remaining -= 1;
    pacer.observe(key, { remaining, resetAfterMs: resetAt - now });
  };
  return { state, take };
}

describe('EditPacer', () => {
  it('sends only the latest pending text', async () => {
    const pacer = new EditPacer({ floorMs: 50 });
    const sent: string[] = [];
    const message = pacer.open('lane', async (text) => {
      sent.push(text);
      await sleep(20);
    });

    message.update('a');
    message.update('ab');
    message.update('abc');
    await message.finish('abcd');

    expect(sent).toEqual(['a', 'abcd']);
  });

  it('skips a final edit that repeats the sent text', async () => {
    const pacer = new EditPacer({ floorMs: 0 });
    const sent: string[] = [];
    const message = pacer.open('lane', async (text) => {
      sent.push(text);
    });

    message.update('same');
    await sleep(20);
    await message.finish('same');

    expect(sent).toEqual(['same']);
  });

  it('keeps the floor between interim edits of one message', async () => {
    const floorMs = 80;
    const pacer = new EditPacer({ floorMs });
    const sentAt: number[] = [];
    const message = pacer.open('lane', async () => {
      sentAt.push(Date.now());
    });

    for (let i = 0; i < 30; i++) {
      message.update(`text ${i}`);
      await sleep(10);
    }
    await message.finish('done');

    const interimGaps = sentAt.slice(0, -1).map((at, i) => (i === 0 ? floorMs : at - (sentAt[i - 1] as number)));
    expect(sentAt.length).toBeGreaterThan(2);
    for (const gap of interimGaps) expect(gap).toBeGreaterThanOrEqual(floorMs - 2);
  });

  it('waits for the reset when the bucket is empty', async () => {
    const pacer = new EditPacer({ floorMs: 0, resetMarginMs: 0 });
    const sentAt: number[] = [];
    const message = pacer.open('lane', async () => {
      sentAt.push(Date.now());
    });
    message.update('first');
    await sleep(10);

    const observedAt = Date.now();
    pacer.observe('lane', { remaining: 0, resetAfterMs: 250 });
    await message.finish('second');

    expect(sentAt).toHaveLength(2);
    expect((sentAt[1] as number) - observedAt).toBeGreaterThanOrEqual(248);
  });

  it('shares one bucket among messages without overrunning it', async () => {
    const pacer = new EditPacer({ floorMs: 20, resetMarginMs: 20 });
    const bucket = simulatedBucket(pacer, 'channel', 3, 400);
    const finals: string[] = [];

    const stream = async (name: string) => {
      let last = '';
      const message = pacer.open('channel', async (text) => {
        bucket.take();
        last = text;
      });
      for (let i = 0; i < 15; i++) {
        message.update(`${name} ${i}`);
        await sleep(15);
      }
      await message.finish(`${name} final`);
      finals.push(last);
    };
    await Promise.all(['a', 'b', 'c', 'd'].map(stream));

    expect(bucket.state.overruns).toBe(0);
    expect(finals.sort()).toEqual(['a final', 'b final', 'c final', 'd final']);
  });

  it('sends final edits before interim ones', async () => {
    const pacer = new EditPacer({ floorMs: 0, resetMarginMs: 0 });
    const sent: string[] = [];
    const blocker = pacer.open('lane', async (text) => {
      sent.push(text);
    });
    blocker.update('blocker');
    await sleep(10);
    pacer.observe('lane', { remaining: 0, resetAfterMs: 100 });

    const interim = pacer.open('lane', async (text) => {
      sent.push(text);
    });
    const final = pacer.open('lane', async (text) => {
      sent.push(text);
    });
    interim.update('interim');
    await sleep(5);
    const finished = final.finish('final');
    await finished;
    await interim.finish('interim');

    expect(sent).toEqual(['blocker', 'final', 'interim']);
  });

  it('retries a rate-limited edit after the delay', async () => {
    const pacer = new EditPacer({ floorMs: 0, retryDelayMs: (error) => (error instanceof RateLimitedError ? error.retryAfterMs : undefined) });
    let attempts = 0;
    const message = pacer.open('lane', async () => {
      attempts += 1;
      if (attempts === 1) throw new RateLimitedError(30);
    });

    await message.finish('text');

    expect(attempts).toBe(2);
  });

  it('gives up after the maximum retries', async () => {
    const pacer = new EditPacer({ floorMs: 0, maxRetries: 2, retryDelayMs: () => 5 });
    let attempts = 0;
    const errors: unknown[] = [];
    const message = pacer.open(
      'lane',
      async () => {
        attempts += 1;
        throw new RateLimitedError(5);
      },
      (error) => errors.push(error),
    );

    await expect(message.finish('text')).rejects.toBeInstanceOf(RateLimitedError);
    expect(attempts).toBe(3);
    expect(errors).toHaveLength(1);
  });

  it('fails a message on an error without retry', async () => {
    const pacer = new EditPacer({ floorMs: 0 });
    const errors: unknown[] = [];
    const sent: string[] = [];
    const message = pacer.open(
      'lane',
      async (text) => {
        sent.push(text);
        throw new Error('unknown message');
      },
      (error) => errors.push(error),
    );

    await expect(message.finish('text')).rejects.toThrow('unknown message');
    message.update('ignored after the failure');
    await sleep(10);

    expect(errors).toHaveLength(1);
    expect(sent).toEqual(['text']);
    expect(pacer.laneCount).toBe(0);
  });

  it('rejects a negative floor', () => {
    expect(() => new EditPacer({ floorMs: -1 })).toThrow('Expected `floorMs` to be a number from 0 and up, got -1');
  });
});
