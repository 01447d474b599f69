#!/usr/bin/env node
// `npm run apikey -- <user_id>`: prints a new random API key (give it to the user, once) and the
// line to add to API_KEYS or API_KEYS_FILE. Only the key's sha256 is ever configured or stored.
import { createHash, randomBytes } from 'node:crypto';

const userId = process.argv[2];
if (!userId || !/^[A-Za-z0-9_.@:-]{1,128}$/.test(userId)) {
  process.stderr.write('usage: npm run apikey -- <user_id>   (1-128 characters of [A-Za-z0-9_.@:-])\n');
  process.exit(2);
}
const key = `csk_${randomBytes(24).toString('base64url')}`;
const hash = createHash('sha256').update(key, 'utf8').digest('hex');
process.stdout.write(`API key for ${userId} (shown once):\n  ${key}\nAdd to API_KEYS (comma separated) or a line of API_KEYS_FILE:\n  ${userId}:${hash}\n`);
