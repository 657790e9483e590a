// Edit pacing: the shared per-workspace budget, Retry-After handling, and
// twenty concurrent answers under a stand-in rate limit with no final text lost.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateBudget, WorkspaceBudgets } from '../src/bots/slack/rate-budget.js';
import {
  deltasOf,
  sendSlashCommand,
  startSlackHarness,
  testSigningSecret,
  waitForAnswers,
  type SlackHarness,
} from './support/slack-standin/index.js';

let harness: SlackHarness | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await harness?.close();
  harness = undefined;
});

describe('rate budget', () => {
  it('keeps every window within the limit', async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ limit: 20, windowMs: 1000 });
    const grants: number[] = [];
    const waiting = Array.from({ length: 100 }, () => budget.acquire().then(() => grants.push(Date.now())));

    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(waiting);

    expect(grants).toHaveLength(100);
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(20);
    }
  });

  it('serves waiters in arrival order', async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ limit: 10, windowMs: 1000 });
    const order: number[] = [];
    const waiting = Array.from({ length: 6 }, (_, i) => budget.acquire().then(() => order.push(i)));

    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(waiting);

    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('lets nothing through during a pause', async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ limit: 100, windowMs: 1000 });
    budget.pause(3000);
    let granted = false;
    const waiting = budget.acquire().then(() => (granted = true));

    await vi.advanceTimersByTimeAsync(2900);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await waiting;
    expect(granted).toBe(true);
  });

  it('drops a waiter whose signal fires', async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ limit: 10, windowMs: 1000 });
    await budget.acquire();
    const controller = new AbortController();
    const cancelled = budget.acquire(controller.signal);
    const next = budget.acquire();

    controller.abort(new Error('closed'));

    await expect(cancelled).rejects.toThrow('closed');
    expect(budget.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    await next;
    expect(budget.waiting).toBe(0);
  });

  it('shares a bucket per workspace and method', () => {
    const budgets = new WorkspaceBudgets();

    expect(budgets.budgetFor('chat.update', 'T1', 'C1')).toBe(budgets.budgetFor('chat.update', 'T1', 'C2'));
    expect(budgets.budgetFor('chat.update', 'T1', 'C1')).not.toBe(budgets.budgetFor('chat.update', 'T2', 'C1'));
    expect(budgets.budgetFor('chat.postMessage', 'T1', 'C1')).not.toBe(budgets.budgetFor('chat.postMessage', 'T1', 'C2'));
  });

  it('rejects an unusable limit', () => {
    expect(() => new RateBudget({ limit: 1, windowMs: 1000 })).toThrow('Expected `rateLimit.limit` to be a whole number from 2 and up, got 1');
    expect(() => new WorkspaceBudgets({ rateLimits: { 'chat.update': { limit: 10, windowMs: 0 } } })).toThrow("rateLimits['chat.update'].windowMs");
  });
});

describe('concurrent answers', () => {
  it('keeps twenty answers within the workspace limit', async () => {
    // Slack's 50 chat.update calls a minute, with the minute scaled down to 3 s.
    const windowMs = 3000;
    const answers = Array.from({ length: 20 }, (_, i) => `Answer ${i}: ${'Spaces run demo apps on the Hub. '.repeat(6)}[${i}]`);
    harness = await startSlackHarness({
      standIn: { limits: { 'chat.update': { limit: 50, windowMs }, 'chat.postMessage': { limit: 60, windowMs } } },
      script: (request) => ({ deltas: deltasOf(answers[Number(request.question.split(' ')[1])]!, 5), delayMs: 15 }),
      adapter: {
        editIntervalMs: 100,
        // A little under the stand-in's limit, for network jitter between the budget and the stand-in's clock.
        rateLimits: { 'chat.update': { limit: 45, windowMs }, 'chat.postMessage': { limit: 55, windowMs } },
      },
    });

    await Promise.all(answers.map((_, i) => sendSlashCommand(harness!.eventsUrl, testSigningSecret, { text: `question ${i}`, user_id: `U0USER${i}` })));
    await waitForAnswers(harness, 20, 60_000);

    const messages = harness.standIn.messagesIn('C0GENERAL');
    expect(messages.map((m) => m.body).sort()).toEqual([...answers].sort());
    expect(harness.standIn.calls.filter((call) => call.result === 'ratelimited')).toHaveLength(0);
    // Coalescing: far fewer edits than deltas.
    const deltas = answers.reduce((sum, a) => sum + Math.ceil(a.length / 5), 0);
    expect(harness.standIn.callsOf('chat.update').length).toBeLessThan(deltas / 4);
  });

  it('honours Retry-After and still writes the final text', async () => {
    const answer = `Final text. ${'More words about datasets. '.repeat(10)}`;
    harness = await startSlackHarness({
      standIn: { limits: { 'chat.update': { limit: 2, windowMs: 1500 } } },
      script: () => ({ deltas: deltasOf(answer, 6), delayMs: 10 }),
      adapter: { editIntervalMs: 20 },
    });

    await sendSlashCommand(harness.eventsUrl, testSigningSecret, { text: 'go' });
    await waitForAnswers(harness, 1, 30_000);

    const updates = harness.standIn.callsOf('chat.update');
    const firstLimited = updates.findIndex((call) => call.result === 'ratelimited');
    expect(firstLimited).toBeGreaterThanOrEqual(0);
    // The next attempt waited for the Retry-After of 1 s or more.
    expect(updates[firstLimited + 1]!.at - updates[firstLimited]!.at).toBeGreaterThanOrEqual(950);
    expect(harness.standIn.messagesIn('C0GENERAL')[0]!.body).toBe(answer);
    const limited = await harness.metrics.registry.getSingleMetricAsString('ragbot_platform_rate_limited_total');
    expect(limited).toMatch(/method="chat.update"} [1-9]/);
    expect(harness.logs().some((line) => line.method === 'chat.update' && Number(line.retryAfterMs) >= 1000)).toBe(true);
  });
});
