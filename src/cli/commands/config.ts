// `ragbot config`: prints the effective configuration with secrets redacted,
// and where each value comes from (environment, .env file or default).
import path from 'node:path';
import type { Command } from 'commander';
import { readDotenv, redactConfig, type Config } from '../../config.js';
import { configVariables } from '../../service/config-reference.js';
import type { RegisterCommand } from '../run.js';

/** Origin of a variable's value. */
type ValueSource = 'environment' | '.env' | 'default';

/** Renders the redacted configuration as aligned text lines, one variable a line. */
export function formatConfig(config: Config, sourceOf: (variable: string) => ValueSource): string {
  const redacted = redactConfig(config);
  const rows: Array<[string, string, string]> = [];
  const documentedKeys = new Set<string>();

  for (const doc of configVariables) {
    documentedKeys.add(doc.key);
    let value = redacted[doc.key];
    if (doc.unit === 'minutes' && typeof value === 'number') value = value / 60_000;
    rows.push([doc.variable, formatValue(value), sourceOf(doc.variable)]);
  }
  // Fields added to Config without an entry in the reference still show, by field name.
  for (const [key, value] of Object.entries(redacted)) {
    if (!documentedKeys.has(key)) rows.push([key, formatValue(value), '']);
  }

  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.min(60, Math.max(...rows.map(([, value]) => value.length)));
  return rows.map(([name, value, source]) => `${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${source}`.trimEnd()).join('\n');
}

function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Registers `ragbot config`. */
export const registerConfig: RegisterCommand = (program: Command, run) => {
  program
    .command('config')
    .description('Print the effective configuration (environment, then .env, then defaults) with secrets redacted, after validating it.')
    .option('--json', 'print one JSON object keyed by configuration field')
    .action(async (options: { json?: boolean }) => {
      await run(async ({ config }) => {
        if (options.json) {
          console.log(JSON.stringify(redactConfig(config), null, 2));
          return;
        }
        const dotenv = readDotenv(path.resolve('.env'));
        const sourceOf = (variable: string): ValueSource => {
          if (process.env[variable]?.trim()) return 'environment';
          if (dotenv[variable]?.trim()) return '.env';
          return 'default';
        };
        console.log(formatConfig(config, sourceOf));
      });
    });
};
