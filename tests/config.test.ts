import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('uses defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(7860);
    expect(config.embeddingModel).toBe('Xenova/all-MiniLM-L6-v2');
    expect(config.embeddingDtype).toBe('q8');
    expect(config.allowRemoteModels).toBe(true);
    expect(config.searchMode).toBe('hybrid');
  });

  it('names every invalid variable', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', EMBEDDING_DTYPE: 'fp64', ALLOW_REMOTE_MODELS: 'maybe' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const variables = (caught as ConfigError).issues.map((issue) => issue.variable);
    expect(variables).toEqual(['PORT', 'EMBEDDING_DTYPE', 'ALLOW_REMOTE_MODELS']);
    expect((caught as ConfigError).message).toContain('PORT: expected a whole number from 0 to 65535, got "eighty"');
  });

  it('never echoes a secret value', () => {
    let message = '';
    try {
      loadConfig({ HF_TOKEN: 'not-a-token-secret-value' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('HF_TOKEN');
    expect(message).not.toContain('not-a-token-secret-value');
  });

  it('redacts secrets for printing', () => {
    const printed = redactConfig(loadConfig({ DISCORD_TOKEN: 'abc.def.ghi' }));
    expect(printed.discordToken).toBe('[set]');
    expect(printed.hfToken).toBe('[unset]');
    expect(JSON.stringify(printed)).not.toContain('abc.def.ghi');
  });
});
