// Setting up the Slack adapter: required settings, option checks, the token
// check at start, Socket Mode without routes, and requests before start.
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../src/bots/slack/adapter.js';
import { SlackSetupError } from '../src/bots/slack/errors.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/observability/logger.js';
import { ScriptedEngine, sendSlashCommand, serveRoutes, SlackStandIn, testSigningSecret, type RouteServer } from './support/slack-standin/index.js';

const engine = new ScriptedEngine(() => ({ deltas: ['ok'] }));
let standIn: SlackStandIn | undefined;
let server: RouteServer | undefined;

afterEach(async () => {
  await server?.close();
  await standIn?.close();
  server = undefined;
  standIn = undefined;
});

describe('slack adapter setup', () => {
  it('requires a bot token', () => {
    const config = loadConfig({});
    expect(() => createSlackAdapter({ config, logger: silentLogger(), engine })).toThrow(SlackSetupError);
    expect(() => createSlackAdapter({ config, logger: silentLogger(), engine })).toThrow('Expected SLACK_BOT_TOKEN to be set');
  });

  it('checks numeric options', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(() => createSlackAdapter({ config, logger: silentLogger(), engine, maxMessageChars: 100 })).toThrow('Expected `maxMessageChars` to be a number from 500 to 12000, got 100');
  });

  it('uses no HTTP route in Socket Mode', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    const adapter = createSlackAdapter({ config, logger: silentLogger(), engine });

    expect(adapter.routes).toBeUndefined();
    expect(adapter.state()).toBe('starting');
  });

  it('fails start on a rejected token', async () => {
    standIn = new SlackStandIn();
    await standIn.start();
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-wrong', SLACK_SIGNING_SECRET: testSigningSecret, SLACK_API_URL: standIn.apiUrl });
    const adapter = createSlackAdapter({ config, logger: silentLogger(), engine });

    await expect(adapter.start()).rejects.toThrow('Slack rejected the bot token check (auth.test: invalid_auth). Check SLACK_BOT_TOKEN');
    expect(adapter.state()).toBe('failed');
  });

  it('answers 503 before start', async () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: testSigningSecret });
    const adapter = createSlackAdapter({ config, logger: silentLogger(), engine });
    server = await serveRoutes(adapter.routes ?? []);

    const reply = await sendSlashCommand(`${server.url}/slack/events`, testSigningSecret, { text: 'early?' });

    expect(reply.status).toBe(503);
    expect(engine.asks).toHaveLength(0);
  });
});
