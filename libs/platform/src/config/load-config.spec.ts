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
