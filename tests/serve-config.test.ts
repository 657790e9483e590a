import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfig } from '../src/cli/commands/config.js';
import { ConfigError, loadConfig, packageRoot, secretVariables } from '../src/config.js';
import { configTableMarkdown, configVariables } from '../src/service/config-reference.js';

describe('config reference', () => {
  it('documents every config field', () => {
    const documented = new Set(configVariables.map((doc) => doc.key));
    const missing = Object.keys(loadConfig({})).filter((key) => !documented.has(key as never));
    expect(missing).toEqual([]);
  });

  it('marks exactly the secret variables', () => {
    const secrets = configVariables.filter((doc) => doc.secret).map((doc) => doc.variable);
    expect(secrets.sort()).toEqual([...secretVariables].sort());
  });

  for (const doc of configVariables.filter((d) => d.default !== undefined)) {
    it(`documents the real default of ${doc.variable}`, () => {
      const defaults = loadConfig({});
      const explicit = loadConfig({ [doc.variable]: doc.default });
      expect(explicit[doc.key]).toEqual(defaults[doc.key]);
    });
  }

  for (const doc of configVariables.filter((d) => d.default === undefined && d.defaultNote === undefined)) {
    it(`leaves ${doc.variable} unset by default`, () => {
      const value = loadConfig({})[doc.key];
      expect(value === undefined || (typeof value === 'object' && Object.keys(value as object).length === 0)).toBe(true);
    });
  }

  it('matches the table in the README', () => {
    const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
    expect(readme).toContain(configTableMarkdown());
  });
});

describe('config validation for serve', () => {
  it('rejects a short ADMIN_TOKEN without echoing it', () => {
    const error = (() => {
      try {
        loadConfig({ ADMIN_TOKEN: 'short-secret' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('ADMIN_TOKEN');
    expect(error?.message).not.toContain('short-secret');
  });

  it('rejects a HOST with a space', () => {
    expect(() => loadConfig({ HOST: 'local host' })).toThrow(/HOST: "local host" is not a host name/);
  });

  const partialSlack = [
    { env: { SLACK_SIGNING_SECRET: 'slack-signing-secret-value' }, others: 'SLACK_SIGNING_SECRET is set' },
    { env: { SLACK_APP_TOKEN: 'xapp-slack-app-token' }, others: 'SLACK_APP_TOKEN is set' },
    { env: { SLACK_SIGNING_SECRET: 'slack-signing-secret-value', SLACK_APP_TOKEN: 'xapp-slack-app-token' }, others: 'SLACK_SIGNING_SECRET and SLACK_APP_TOKEN are set' },
  ];
  for (const { env, others } of partialSlack) {
    it(`rejects ${Object.keys(env).join(' and ')} without SLACK_BOT_TOKEN`, () => {
      let caught: ConfigError | undefined;
      try {
        loadConfig(env);
      } catch (error) {
        caught = error as ConfigError;
      }

      expect(caught?.issues).toHaveLength(1);
      expect(caught?.issues[0]).toMatchObject({ variable: 'SLACK_BOT_TOKEN', problem: `missing while ${others}` });
      expect(caught?.issues[0]!.fix).toContain('xoxb-');
      expect(caught?.message).not.toContain('slack-signing-secret-value');
      expect(caught?.message).not.toContain('xapp-slack-app-token');
    });
  }

  it('rejects an unknown INGEST_ON_START', () => {
    expect(() => loadConfig({ INGEST_ON_START: 'sometimes' })).toThrow(/INGEST_ON_START/);
  });
});

describe('formatConfig', () => {
  const config = loadConfig({ DISCORD_TOKEN: 'discord.token.value', SESSION_TTL_MINUTES: '90', ADMIN_TOKEN: 'admin-token-0123456789' });
  const text = formatConfig(config, (variable) => (variable === 'DISCORD_TOKEN' ? 'environment' : 'default'));

  it('redacts secrets', () => {
    expect(text).not.toContain('discord.token.value');
    expect(text).not.toContain('admin-token-0123456789');
    expect(text).toMatch(/^DISCORD_TOKEN\s+\[set\]\s+environment$/m);
    expect(text).toMatch(/^HF_TOKEN\s+\[unset\]\s+default$/m);
  });

  it('shows minutes in the variable unit', () => {
    expect(text).toMatch(/^SESSION_TTL_MINUTES\s+90\s+default$/m);
  });
});
