import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { USER_ID_PATTERN } from '@app/contracts';

/** sha256 of a key: only hashes are configured or kept in memory, never the keys themselves. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Who an API key belongs to, and whether it may change the knowledge base (docs/api.md §8). */
export interface ApiKeyOwner {
  userId: string;
  admin: boolean;
}

const ADMIN_SUFFIX = ':admin';

/**
 * Parses `user_id:sha256hex` entries (comma or newline separated, `#` comments) into hash →
 * owner; `user_id:sha256hex:admin` marks an admin key. A user id may itself contain `:`, but
 * the hash is always 64 hex digits, so the suffix is unambiguous.
 */
export function parseApiKeys(sources: Array<string | undefined>): Map<string, ApiKeyOwner> {
  const keys = new Map<string, ApiKeyOwner>();
  for (const source of sources) {
    for (const raw of (source ?? '').split(/[\n,]/)) {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const admin = line.toLowerCase().endsWith(ADMIN_SUFFIX) && /:[0-9a-fA-F]{64}:admin$/i.test(line);
      if (admin) line = line.slice(0, -ADMIN_SUFFIX.length);
      const at = line.lastIndexOf(':');
      const user = line.slice(0, at);
      const hash = line.slice(at + 1).toLowerCase();
      if (at < 1 || !USER_ID_PATTERN.test(user) || !/^[0-9a-f]{64}$/.test(hash)) {
        throw new Error(`invalid API key entry "${line.slice(0, 40)}": expected user_id:sha256hex`);
      }
      keys.set(hash, { userId: user, admin });
    }
  }
  return keys;
}

export function readApiKeysFile(path: string | undefined): string | undefined {
  return path ? readFileSync(path, 'utf8') : undefined;
}
