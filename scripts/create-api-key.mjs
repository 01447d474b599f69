#!/usr/bin/env node
// `npm run apikey -- <user_id> [--admin]`: prints a new random API key (give it to the user, once)
// and the line to add to API_KEYS or API_KEYS_FILE. Only the key's sha256 is ever configured or
// stored. `--admin` marks the key as one that may change the knowledge base.
import { createHash, randomBytes } from 'node:crypto';

const args = process.argv.slice(2);
const admin = args.includes('--admin');
const userId = args.find((a) => a !== '--admin');
if (!userId || !/^[A-Za-z0-9_.@:-]{1,128}$/.test(userId) || args.length > (admin ? 2 : 1)) {
  process.stderr.write('usage: npm run apikey -- <user_id> [--admin]   (1-128 characters of [A-Za-z0-9_.@:-])\n');
  process.exit(2);
}
const key = `csk_${randomBytes(24).toString('base64url')}`;
const hash = createHash('sha256').update(key, 'utf8').digest('hex');
process.stdout.write(`API key for ${userId}${admin ? ' (admin)' : ''} (shown once):\n  ${key}\nAdd to API_KEYS (comma separated) or a line of API_KEYS_FILE:\n  ${userId}:${hash}${admin ? ':admin' : ''}\n`);
