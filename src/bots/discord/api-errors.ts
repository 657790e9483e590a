// Errors of the Discord adapter and the Discord API error codes it acts on.
import { LRUCache } from 'lru-cache';
import { DiscordAPIError, RateLimitError, type PermissionsBitField, type PermissionsString } from 'discord.js';
import type { Logger } from '../../observability/logger.js';

/** JSON error codes of the Discord API that the adapter handles. */
export const DiscordErrorCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  MissingAccess: 50001,
  MissingPermissions: 50013,
  InvalidWebhookToken: 50027,
} as const;

/** Codes meaning the message being edited (or its channel or interaction) no longer exists. */
const goneCodes = new Set<number>([
  DiscordErrorCode.UnknownChannel,
  DiscordErrorCode.UnknownMessage,
  DiscordErrorCode.UnknownWebhook,
  DiscordErrorCode.UnknownInteraction,
  DiscordErrorCode.InvalidWebhookToken,
]);

/** Codes meaning the bot lacks a permission or access to the channel. */
const permissionCodes = new Set<number>([DiscordErrorCode.MissingAccess, DiscordErrorCode.MissingPermissions]);

/** Returns true when a REST call failed because its message, channel or interaction webhook is gone. */
export function isGoneError(error: unknown): error is DiscordAPIError {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && goneCodes.has(error.code);
}

/** Returns true when a REST call failed with Missing Access (50001) or Missing Permissions (50013). */
export function isPermissionError(error: unknown): error is DiscordAPIError {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && permissionCodes.has(error.code);
}

/** Returns the milliseconds to wait before retrying a rate-limited request, or undefined for other errors. */
export function rateLimitDelayMs(error: unknown): number | undefined {
  if (!(error instanceof RateLimitError)) return undefined;
  return Math.max(error.retryAfter, error.timeToReset, 0);
}

/** Thrown when the bot cannot log in to Discord; `fix` is the change the operator should make. */
export class DiscordLoginError extends Error {
  override readonly name = 'DiscordLoginError';

  constructor(
    message: string,
    readonly fix: string,
    readonly details: { closeCode?: number; cause?: unknown } = {},
  ) {
    super(`${message} ${fix}`, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

/** Operation that was under way when a permission error came back. */
export type ReplyOperation = 'reply' | 'edit' | 'typing' | 'follow up';

/** Permissions each operation needs in a guild channel or thread. */
export function requiredPermissions(operation: ReplyOperation, inThread: boolean): PermissionsString[] {
  const send: PermissionsString = inThread ? 'SendMessagesInThreads' : 'SendMessages';
  switch (operation) {
    case 'reply':
      // A reply reference needs Read Message History on top of sending.
      return ['ViewChannel', send, 'ReadMessageHistory'];
    case 'typing':
      return ['ViewChannel', send];
    case 'edit':
    case 'follow up':
      return ['ViewChannel'];
  }
}

/** Input of `PermissionReporter.report`. */
export interface PermissionProblem {
  channelId: string;
  guildId: string | undefined;
  operation: ReplyOperation;
  /** Permissions the operation needs. */
  required: readonly PermissionsString[];
  /** The bot's permissions in the channel from the cache, when known. */
  granted: Readonly<PermissionsBitField> | undefined;
  error: unknown;
}

/** Logs each missing permission once per channel, naming the permission and the channel. */
export class PermissionReporter {
  // Bounded, so a bot removed from many channels does not grow memory without end.
  private readonly reported = new LRUCache<string, true>({ max: 10_000 });

  constructor(private readonly logger: Logger) {}

  /** Logs the problem unless the same channel and permission were already reported; returns the permissions named. */
  report(problem: PermissionProblem): PermissionsString[] {
    const missing = problem.granted ? problem.granted.missing([...problem.required]) : [];
    if (missing.length > 0) {
      for (const permission of missing) this.logOnce(problem, permission, permission);
      return missing;
    }

    // NOTE: a 403 does not say which permission is missing. When the cache shows nothing missing
    // (or has no data), every permission the operation needs is named as a candidate.
    const candidates = problem.required.join(' or ');
    this.logOnce(problem, `${problem.operation}:${candidates}`, candidates);
    return [...problem.required];
  }

  private logOnce(problem: PermissionProblem, key: string, permission: string): void {
    const fullKey = `${problem.channelId}:${key}`;
    if (this.reported.has(fullKey)) return;
    this.reported.set(fullKey, true);
    this.logger.warn(
      { channelId: problem.channelId, guildId: problem.guildId, permission, operation: problem.operation, err: problem.error },
      `Missing permission ${permission} in channel ${problem.channelId}: grant it to the bot's role so that ragbot can ${problem.operation} there.`,
    );
  }
}
