// Sessions: idle expiry, LRU eviction, the token budget, and save/restore
// through the engine (gzip JSON, atomic write, expired sessions dropped).
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createAnswerEngine } from '../src/engine/answer/engine.js';
import { readSessionsFile } from '../src/engine/session/persist.js';
import { SessionStore, estimateTokens, sessionId } from '../src/engine/session/store.js';
import type { SessionKey } from '../src/engine/types.js';
import { silentLogger } from '../src/observability/logger.js';
import { collectAnswer, fakeRetriever, sessionKey, testConfig } from './support/answer-fakes.js';

const minute = 60_000;

function turn(question: string, answer = 'An answer.', at = 0) {
  return { question, answer, at };
}

describe('SessionStore', () => {
  it('expires a session after the idle TTL', () => {
    let now = 0;
    const store = new SessionStore({ max: 10, ttlMs: 10 * minute, maxTokens: 1000, now: () => now });
    store.append(sessionKey(), turn('q1'));

    now += 9 * minute;
    expect(store.turns(sessionKey())).toHaveLength(1);
    // Reading restarted the idle time.
    now += 9 * minute;
    expect(store.turns(sessionKey())).toHaveLength(1);
    now += 10 * minute + 1;
    expect(store.turns(sessionKey())).toEqual([]);
  });

  it('evicts the least recently used session', () => {
    const store = new SessionStore({ max: 2, ttlMs: minute, maxTokens: 1000 });
    store.append(sessionKey('a'), turn('qa'));
    store.append(sessionKey('b'), turn('qb'));
    store.turns(sessionKey('a'));

    store.append(sessionKey('c'), turn('qc'));

    expect(store.size).toBe(2);
    expect(store.turns(sessionKey('b'))).toEqual([]);
    expect(store.turns(sessionKey('a'))).toHaveLength(1);
  });

  it('keys by platform, team, channel and user', () => {
    const base: SessionKey = { platform: 'slack', team: 'T1', channel: 'C1', user: 'U1' };
    const variants: SessionKey[] = [
      { ...base, platform: 'discord' },
      { ...base, team: 'T2' },
      { ...base, channel: 'thread-9' },
      { ...base, user: 'U2' },
    ];

    for (const variant of variants) expect(sessionId(variant)).not.toBe(sessionId(base));
  });

  it('drops the oldest turns past the token budget', () => {
    const store = new SessionStore({ max: 10, ttlMs: minute, maxTokens: 30 });
    const answer = 'x'.repeat(40);
    for (const question of ['first', 'second', 'third']) store.append(sessionKey(), turn(question, answer));

    const turns = store.turns(sessionKey());
    expect(turns.map((t) => t.question)).toEqual(['second', 'third']);
    const tokens = turns.reduce((sum, t) => sum + estimateTokens(t.question) + estimateTokens(t.answer), 0);
    expect(tokens).toBeLessThanOrEqual(30);
  });

  it('shortens a single turn over the budget', () => {
    const store = new SessionStore({ max: 10, ttlMs: minute, maxTokens: 20 });
    store.append(sessionKey(), turn('q', 'y'.repeat(500)));

    const [only] = store.turns(sessionKey());
    expect(only?.question).toBe('q');
    expect(only!.answer.length).toBeLessThan(500);
  });

  it('keeps nothing with a budget of 0', () => {
    const store = new SessionStore({ max: 10, ttlMs: minute, maxTokens: 0 });
    store.append(sessionKey(), turn('q'));

    expect(store.turns(sessionKey())).toEqual([]);
  });

  it('clears one session', () => {
    const store = new SessionStore({ max: 10, ttlMs: minute, maxTokens: 100 });
    store.append(sessionKey('a'), turn('qa'));
    store.append(sessionKey('b'), turn('qb'));

    store.clear(sessionKey('a'));

    expect(store.turns(sessionKey('a'))).toEqual([]);
    expect(store.turns(sessionKey('b'))).toHaveLength(1);
  });
});

describe('session save and restore', () => {
  let dir: string;
  let now: number;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ragbot-sessions-'));
    now = Date.parse('2025-01-01T12:00:00Z');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function engineWith(logger = silentLogger()) {
    return createAnswerEngine({
      config: testConfig({ SESSION_TTL_MINUTES: '10' }),
      logger,
      retriever: fakeRetriever(),
      now: () => now,
    });
  }

  it('saves live sessions and restores them', async () => {
    const engine = engineWith();
    await collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('a') }));
    await collectAnswer(engine.ask({ question: 'Which port?', session: sessionKey('b') }));
    const file = path.join(dir, 'nested', 'sessions.json.gz');

    expect(await engine.saveSessions(file)).toBe(2);

    const restored = engineWith();
    expect(await restored.restoreSessions(file)).toBe(2);
    expect(restored.stats().sessions).toBe(2);
    // The restored history feeds a follow-up's retrieval.
    const retriever = fakeRetriever();
    const follow = createAnswerEngine({ config: testConfig({ SESSION_TTL_MINUTES: '10' }), logger: silentLogger(), retriever, now: () => now });
    await follow.restoreSessions(file);
    await collectAnswer(follow.ask({ question: 'and for datasets?', session: sessionKey('a') }));
    expect(retriever.queries[0]).toBe('How do I add a secret? and for datasets?');
  });

  it('writes gzip-compressed JSON without leaving temp files', async () => {
    const engine = engineWith();
    await collectAnswer(engine.ask({ question: 'How do I add a secret?', session: sessionKey('a') }));
    const file = path.join(dir, 'sessions.json.gz');

    await engine.saveSessions(file);

    const parsed = JSON.parse(gunzipSync(await readFile(file)).toString('utf8'));
    expect(parsed.format).toBe('ragbot-sessions');
    expect(parsed.sessions[0].key).toEqual(sessionKey('a'));
    expect(parsed.sessions[0].turns[0].question).toBe('How do I add a secret?');
    expect(await readdir(dir)).toEqual(['sessions.json.gz']);
  });

  it('drops sessions that expired before saving', async () => {
    const engine = engineWith();
    await collectAnswer(engine.ask({ question: 'Old question', session: sessionKey('old') }));
    now += 6 * minute;
    await collectAnswer(engine.ask({ question: 'New question', session: sessionKey('new') }));
    now += 5 * minute;
    const file = path.join(dir, 'sessions.json.gz');

    expect(await engine.saveSessions(file)).toBe(1);
    const read = await readSessionsFile(file);
    expect(read?.sessions.map((s) => s.key.user)).toEqual(['new']);
  });

  it('drops sessions that expired while saved', async () => {
    const engine = engineWith();
    await collectAnswer(engine.ask({ question: 'Question', session: sessionKey('a') }));
    const file = path.join(dir, 'sessions.json.gz');
    await engine.saveSessions(file);

    now += 11 * minute;
    const restored = engineWith();

    expect(await restored.restoreSessions(file)).toBe(0);
    expect(restored.stats().sessions).toBe(0);
  });

  it('keeps the idle time of a restored session', async () => {
    const engine = engineWith();
    await collectAnswer(engine.ask({ question: 'Question', session: sessionKey('a') }));
    const file = path.join(dir, 'sessions.json.gz');
    await engine.saveSessions(file);

    now += 8 * minute;
    const restored = engineWith();
    await restored.restoreSessions(file);
    now += 3 * minute;

    expect(await restored.saveSessions(path.join(dir, 'again.json.gz'))).toBe(0);
  });

  it('returns 0 for a missing file', async () => {
    expect(await engineWith().restoreSessions(path.join(dir, 'none.json.gz'))).toBe(0);
  });

  const corruptFiles = [
    { name: 'not gzip', content: Buffer.from('plain text') },
    { name: 'not JSON', content: gzipSync('{ nope') },
    { name: 'another format', content: gzipSync(JSON.stringify({ format: 'other', version: 1, sessions: [] })) },
  ];
  for (const { name, content } of corruptFiles) {
    it(`warns and returns 0 for a file that is ${name}`, async () => {
      const file = path.join(dir, 'sessions.json.gz');
      await writeFile(file, content);
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));

      expect(await engineWith(logger).restoreSessions(file)).toBe(0);
      expect(lines.some((line) => line.includes('"level":40') && line.includes('invalid sessions file'))).toBe(true);
    });
  }

  it('skips invalid entries in a valid file', async () => {
    const file = path.join(dir, 'sessions.json.gz');
    const good = { key: sessionKey('a'), turns: [turn('q', 'a', now)], lastActiveAt: now };
    await writeFile(file, gzipSync(JSON.stringify({ format: 'ragbot-sessions', version: 1, savedAt: now, sessions: [good, { key: 'bad' }] })));

    const read = await readSessionsFile(file);

    expect(read?.sessions).toHaveLength(1);
    expect(read?.skipped).toBe(1);
    expect(await engineWith().restoreSessions(file)).toBe(1);
  });
});
