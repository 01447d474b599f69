import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig PII_POLICY', () => {
  it('parses the policy into one action per direction, flagging both by default', () => {
    expect(loadConfig('gateway', {}).PII_POLICY).toEqual({ input: 'flag', output: 'flag' });
    expect(loadConfig('generator', { PII_POLICY: 'input:redact' }).PII_POLICY).toEqual({ input: 'redact', output: 'off' });
  });

  it('stops the service with the variable name when the policy cannot be read', () => {
    expect(() => loadConfig('gateway', { PII_POLICY: 'input:scrub' })).toThrow(ConfigError);
    expect(() => loadConfig('gateway', { PII_POLICY: 'input:scrub' })).toThrow(/PII_POLICY: Invalid PII policy "input:scrub"/);
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('is unset by default: one Redis at REDIS_URL', () => {
    expect(loadConfig('history', {}).REDIS_CLUSTER_NODES).toBeUndefined();
  });

  it('parses comma-separated host:port seeds, spaces allowed around them', () => {
    const config = loadConfig('history', { REDIS_CLUSTER_NODES: 'redis-node-1:6379, 10.0.0.2:7000 ,localhost:30001' });
    expect(config.REDIS_CLUSTER_NODES).toEqual([
      { host: 'redis-node-1', port: 6379 },
      { host: '10.0.0.2', port: 7000 },
      { host: 'localhost', port: 30001 },
    ]);
  });

  it.each(['redis-node-1', 'redis://redis-node-1:6379', 'a:1,,b:2', 'a:port'])('stops the service on %j, naming the variable', (value) => {
    expect(() => loadConfig('history', { REDIS_CLUSTER_NODES: value })).toThrow(ConfigError);
    expect(() => loadConfig('history', { REDIS_CLUSTER_NODES: value })).toThrow(/REDIS_CLUSTER_NODES: comma-separated host:port seeds/);
  });
});

describe('optional settings passed through empty', () => {
  it('reads an empty EMBEDDINGS_* as unset, as compose passes ${NAME:-} when the host has none', () => {
    const config = loadConfig('gateway', { EMBEDDINGS_BASE_URL: '', EMBEDDINGS_MODEL: '', EMBEDDINGS_API_KEY: '', ADMIN_USERS: '' });
    expect(config.EMBEDDINGS_BASE_URL).toBeUndefined();
    expect(config.EMBEDDINGS_MODEL).toBeUndefined();
  });
});
