// Bridges Bolt's and the Web API client's logger interface to our pino
// logger, so their lines carry `component: slack-bolt` and the service's
// redaction. The Web API client redacts tokens in what it logs itself.
import { format } from 'node:util';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../observability/logger.js';

/** Returns a Bolt logger writing to `logger` (debug lines at pino's debug level). */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack-bolt' });
  let level: LogLevel = LogLevel.INFO;
  let name = 'bolt';

  return {
    debug: (...message: unknown[]) => child.debug({ source: name }, format(...message)),
    info: (...message: unknown[]) => child.info({ source: name }, format(...message)),
    warn: (...message: unknown[]) => child.warn({ source: name }, format(...message)),
    error: (...message: unknown[]) => child.error({ source: name }, format(...message)),
    // Levels are set on the service logger; Bolt's own setting is only remembered.
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}
