// Injected logger: pino with levels and a component name on every line.
// JSON on stdout for the Space's log viewer; pretty lines when stdout is a terminal.
import pino from 'pino';

/** Log levels, most verbose first. */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One of `logLevels`. */
export type LogLevel = (typeof logLevels)[number];

/** The logger every component receives; `child` adds a component name or ids. */
export type Logger = pino.Logger;

/** Field names whose values are replaced by `[redacted]` wherever they appear in a log object. */
const redactedPaths = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'secret',
  '*.secret',
  'config.hfToken',
  'config.llmEndpointToken',
  'config.discordToken',
  'config.slackBotToken',
  'config.slackSigningSecret',
  'config.slackAppToken',
  'config.adminToken',
];

/** Options of `createLogger`. */
export interface LoggerOptions {
  level?: LogLevel;
  /** Pretty single-line output; defaults to true when stdout is a terminal. */
  pretty?: boolean;
  /** Destination stream; defaults to stdout. Tests pass their own. */
  destination?: NodeJS.WritableStream;
}

/** Creates the root logger. Components call `logger.child({ component: 'discord' })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const pretty = options.pretty ?? (process.stdout.isTTY === true && options.destination === undefined);
  const base = { level, redact: { paths: redactedPaths, censor: '[redacted]' }, base: undefined };

  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', messageFormat: '[{component}] {msg}' },
      },
    });
  }
  const destination = options.destination ?? pino.destination({ fd: 1, sync: false });
  return pino(base, destination as pino.DestinationStream);
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
