import { describe, expect, it } from '@jest/globals';
import { parsePiiPolicy } from './policy.js';

describe('parsePiiPolicy', () => {
  it.each([
    ['off', { input: 'off', output: 'off' }],
    ['flag', { input: 'flag', output: 'flag' }],
    ['redact', { input: 'redact', output: 'redact' }],
    ['input:redact,output:flag', { input: 'redact', output: 'flag' }],
    [' Output : Redact , INPUT:flag ', { input: 'flag', output: 'redact' }],
    ['input:redact', { input: 'redact', output: 'off' }],
    ['output:flag', { input: 'off', output: 'flag' }],
  ])('reads %j', (value, policy) => {
    expect(parsePiiPolicy(value)).toEqual(policy);
  });

  it.each([
    ['', /Invalid PII policy ""/],
    ['  ', /Invalid PII policy/],
    ['mask', /cannot read "mask"/],
    ['input:mask', /cannot read "input:mask"/],
    ['inbound:redact', /cannot read "inbound:redact"/],
    ['input:redact,input:flag', /"input" is given twice/],
    ['input:redact,', /cannot read ""/],
    ['input:redact:now', /cannot read "input:redact:now"/],
    ['redact,output:flag', /cannot read "redact"/],
  ])('rejects %j with a clear message', (value, message) => {
    expect(() => parsePiiPolicy(value)).toThrow(message);
  });

  it('says what it expects', () => {
    expect(() => parsePiiPolicy('nope')).toThrow('expected "off", "flag", "redact" (both directions) or a list such as "input:redact,output:flag"');
  });
});
