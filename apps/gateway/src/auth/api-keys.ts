import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { USER_ID_PATTERN } from '@app/contracts';

/** sha256 of a key: only hashes are configured or kept in memory, never the keys themselves. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Parses `user_id:sha256hex` entries (comma or newline separated, `#` comments) into hash → user. */
export function parseApiKeys(sources: Array<string | undefined>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const source of sources) {
    for (const raw of (source ?? '').split(/[\n,]/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const at = line.lastIndexOf(':');
      const user = line.slice(0, at);
      const hash = line.slice(at + 1).toLowerCase();
      if (at < 1 || !USER_ID_PATTERN.test(user) || !/^[0-9a-f]{64}$/.test(hash)) {
        throw new Error(`invalid API key entry "${line.slice(0, 40)}": expected user_id:sha256hex`);
      }
      keys.set(hash, user);
    }
  }
  return keys;
}

export function readApiKeysFile(path: string | undefined): string | undefined {
  return path ? readFileSync(path, 'utf8') : undefined;
}
