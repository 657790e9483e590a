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

describe('URL variables with credentials', () => {
  /** Returns the ConfigError that `env` raises. */
  function configError(env: Record<string, string>): ConfigError {
    try {
      loadConfig(env);
    } catch (error) {
      return error as ConfigError;
    }
    throw new Error('Expected loadConfig to raise a ConfigError');
  }

  for (const variable of ['LLM_ENDPOINT_URL', 'DISCORD_REST_URL', 'SLACK_API_URL']) {
    it(`rejects userinfo in ${variable}`, () => {
      const error = configError({ [variable]: 'http://user:s3cret-pw@127.0.0.1:8080/v1' });

      expect(error.issues.map((issue) => issue.variable)).toEqual([variable]);
      expect(error.issues[0]!.problem).toContain('contains a user name or password');
      expect(error.message).toContain('http://***@127.0.0.1:8080/v1');
      expect(error.message).not.toContain('s3cret-pw');
      expect(error.message).not.toContain('user:');
    });
  }

  it('rejects a user name without a password', () => {
    const error = configError({ LLM_ENDPOINT_URL: 'https://someone@llm.example.com' });

    expect(error.issues[0]!.variable).toBe('LLM_ENDPOINT_URL');
    expect(error.message).not.toContain('someone');
  });

  it('names where the endpoint credential goes', () => {
    const error = configError({ LLM_ENDPOINT_URL: 'http://user:s3cret-pw@127.0.0.1:8080' });

    expect(error.issues[0]!.fix).toContain('Bearer token');
  });

  it('hides userinfo of a non-http URL', () => {
    const error = configError({ LLM_ENDPOINT_URL: 'ftp://user:s3cret-pw@127.0.0.1/' });

    expect(error.issues[0]!.problem).toContain('is not an http or https URL');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('rejects userinfo in SOURCE_BASE_URLS', () => {
    const error = configError({ SOURCE_BASE_URLS: 'hub/=https://user:s3cret-pw@docs.example.com/hub/' });

    expect(error.issues[0]!.variable).toBe('SOURCE_BASE_URLS');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('accepts a URL without userinfo', () => {
    expect(loadConfig({ LLM_ENDPOINT_URL: 'http://127.0.0.1:8080/v1' }).llmEndpointUrl).toBe('http://127.0.0.1:8080/v1');
  });

  it('masks userinfo when printing', () => {
    const config = { ...loadConfig({}), llmEndpointUrl: 'http://user:s3cret-pw@127.0.0.1:8080', sourceBaseUrls: { 'hub/': 'https://a:b-pw@docs.example.com/' } };

    const printed = JSON.stringify(redactConfig(config));

    expect(printed).not.toContain('s3cret-pw');
    expect(printed).not.toContain('b-pw');
    expect(printed).toContain('http://***@127.0.0.1:8080');
  });
});
