import { describe, expect, it } from '@jest/globals';
import { hashApiKey, parseApiKeys } from './api-keys.js';

describe('parseApiKeys', () => {
  const hash = hashApiKey('k');

  it('reads user:hash entries, and user:hash:admin as an admin key', () => {
    const keys = parseApiKeys([`alice:${hash}`, `root:${hashApiKey('r')}:admin`]);
    expect(keys.get(hash)).toEqual({ userId: 'alice', admin: false });
    expect(keys.get(hashApiKey('r'))).toEqual({ userId: 'root', admin: true });
  });

  it('keeps a user id that contains colons, even one ending in :admin', () => {
    expect(parseApiKeys([`team:admin:${hash}`]).get(hash)).toEqual({ userId: 'team:admin', admin: false });
  });

  it('refuses a malformed entry', () => {
    expect(() => parseApiKeys([`alice:${hash}:owner`])).toThrow(/expected user_id:sha256hex/);
  });
});
