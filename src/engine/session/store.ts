// Conversation sessions: the recent turns of one user in one channel or thread,
// kept in an LRU cache with a maximum count and an idle TTL.
import { LRUCache } from 'lru-cache';
import type { SessionKey } from '../types.js';

/** One question and the answer given to it. */
export interface Turn {
  question: string;
  answer: string;
  /** Epoch ms when the answer ended. */
  at: number;
}

/** A session as saved to disk and restored. */
export interface SessionRecord {
  key: SessionKey;
  turns: Turn[];
  /** Epoch ms of the last question or answer; the idle TTL counts from here. */
  lastActiveAt: number;
}

/** Options of `SessionStore`. */
export interface SessionStoreOptions {
  /** Maximum sessions kept; the least recently used is evicted first. */
  max: number;
  /** Idle time in ms after which a session expires. */
  ttlMs: number;
  /** Token budget of the turns kept per session (estimated, see `estimateTokens`); 0 keeps none. */
  maxTokens: number;
  /** Clock in epoch ms; tests inject their own. */
  now?: () => number;
}

/**
 * Estimates the token count of English text as one token per 4 characters.
 * NOTE: an estimate, because the chat model's tokenizer is not available locally.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Returns the cache key of a session: platform, team, channel or thread, and user. */
export function sessionId(key: SessionKey): string {
  return JSON.stringify([key.platform, key.team ?? '', key.channel, key.user]);
}

/** Sessions in memory, keyed by `sessionId`. */
export class SessionStore {
  private readonly cache: LRUCache<string, SessionRecord>;
  private readonly now: () => number;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? Date.now;
    this.cache = new LRUCache<string, SessionRecord>({
      max: options.max,
      ttl: options.ttlMs,
      // Reading a session (a new question) restarts its idle time.
      updateAgeOnGet: true,
      perf: { now: this.now },
      ttlResolution: 0,
    });
  }

  /** Number of live sessions; expired ones are purged first. */
  get size(): number {
    this.cache.purgeStale();
    return this.cache.size;
  }

  /** Returns the recent turns of a session, oldest first, and marks the session active. */
  turns(key: SessionKey): Turn[] {
    const record = this.cache.get(sessionId(key));
    if (record === undefined) return [];
    record.lastActiveAt = this.now();
    return [...record.turns];
  }

  /** Appends a turn and drops the oldest turns that no longer fit the token budget. */
  append(key: SessionKey, turn: Turn): void {
    if (this.options.maxTokens === 0) return;

    const id = sessionId(key);
    const record = this.cache.get(id) ?? { key: { ...key }, turns: [], lastActiveAt: turn.at };
    record.turns.push({ ...turn });
    record.turns = fitTurns(record.turns, this.options.maxTokens);
    record.lastActiveAt = this.now();
    this.cache.set(id, record);
  }

  /** Forgets a session. */
  clear(key: SessionKey): void {
    this.cache.delete(sessionId(key));
  }

  /** Returns copies of the sessions that have not expired. */
  snapshot(): SessionRecord[] {
    const now = this.now();
    const records: SessionRecord[] = [];
    for (const record of this.cache.values()) {
      if (now - record.lastActiveAt >= this.options.ttlMs) continue;
      records.push({ key: { ...record.key }, turns: record.turns.map((t) => ({ ...t })), lastActiveAt: record.lastActiveAt });
    }
    return records;
  }

  /** Adds saved sessions that have not expired, keeping their idle time. Returns how many were added. */
  restore(records: SessionRecord[]): number {
    const now = this.now();
    let restored = 0;
    // Oldest first, so that the most recently active sessions end up most recently used.
    const ordered = [...records].sort((a, b) => a.lastActiveAt - b.lastActiveAt);
    for (const record of ordered) {
      if (now - record.lastActiveAt >= this.options.ttlMs) continue;
      const turns = fitTurns(record.turns, this.options.maxTokens);
      if (turns.length === 0) continue;
      this.cache.set(sessionId(record.key), { key: { ...record.key }, turns, lastActiveAt: record.lastActiveAt }, { start: record.lastActiveAt });
      restored += 1;
    }
    // Past `max`, the least recently active of the restored sessions were evicted again.
    return Math.min(restored, this.options.max);
  }
}

/**
 * Keeps the newest turns whose estimated tokens fit `maxTokens`. When even the newest
 * turn alone is too long, its answer is shortened so that a follow-up still has context.
 */
function fitTurns(turns: Turn[], maxTokens: number): Turn[] {
  if (maxTokens === 0) return [];

  const kept: Turn[] = [];
  let total = 0;
  for (let index = turns.length - 1; index >= 0; index -= 1) {
    const turn = turns[index]!;
    const cost = estimateTokens(turn.question) + estimateTokens(turn.answer);
    if (total + cost > maxTokens) {
      if (kept.length === 0) kept.unshift(shortenTurn(turn, maxTokens));
      break;
    }
    kept.unshift(turn);
    total += cost;
  }
  return kept;
}

function shortenTurn(turn: Turn, maxTokens: number): Turn {
  const answerChars = Math.max(0, (maxTokens - estimateTokens(turn.question)) * 4);
  return { ...turn, answer: turn.answer.slice(0, answerChars) };
}
