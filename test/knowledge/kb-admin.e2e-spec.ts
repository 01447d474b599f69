import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KbDocumentCreated, KbDocumentList } from '@app/contracts';
import { SignJWT } from 'jose';
import { kbCli } from '../support/kb-cli.js';
import { TestStack } from '../support/test-stack.js';

// Who may change the knowledge base with auth on (docs/api.md §14): admins only, that is an API
// key marked `:admin` or a user listed in ADMIN_USERS; everyone else gets 403 and changes nothing.
const sha = (key: string) => createHash('sha256').update(key).digest('hex');
const KEYS = { alice: 'csk_alice_key', root: 'csk_root_key', bob: 'csk_bob_key' };
const DOC = { title: 'Admin notes', content: 'Only admins write here.' };

describe.each(['apikey', 'jwt'] as const)('knowledge-base writes with AUTH_MODE=%s', (mode) => {
  let stack: TestStack;
  let url: string;
  const tokens: Record<string, string> = {};
  const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

  beforeAll(async () => {
    const env: Record<string, string> =
      mode === 'apikey'
        ? { AUTH_MODE: 'apikey', API_KEYS: `alice:${sha(KEYS.alice)},root:${sha(KEYS.root)}:admin,bob:${sha(KEYS.bob)}`, ADMIN_USERS: 'bob' }
        : { AUTH_MODE: 'jwt', JWT_SECRET: SECRET, ADMIN_USERS: 'root, bob' };
    stack = await TestStack.start({ env });
    url = stack.gateway.url;
    for (const user of ['alice', 'root', 'bob'] as const) {
      tokens[user] =
        mode === 'apikey'
          ? KEYS[user]
          : await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
    }
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    fetch(`${url}/api/v1/kb/documents${path}`, {
      ...init,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    });
  const count = async () => ((await (await call('', tokens.root)).json()) as KbDocumentList).total_documents;

  it('answers 401 without credentials, on reads and writes', async () => {
    expect((await call('', undefined)).status).toBe(401);
    expect((await call('', undefined, { method: 'POST', body: JSON.stringify(DOC) })).status).toBe(401);
  });

  it('lets any user list documents but answers 403 to a non-admin write, storing nothing', async () => {
    const before = await count();
    expect((await call('', tokens.alice)).status).toBe(200);
    const refused = await call('', tokens.alice, { method: 'POST', body: JSON.stringify(DOC) });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/admins/);
    // Refused before the body is looked at: a bad body is 403 too, not 400.
    expect((await call('', tokens.alice, { method: 'POST', body: '{"title":1}' })).status).toBe(403);
    const { documents } = (await (await call('', tokens.alice)).json()) as KbDocumentList;
    expect((await call(`/${documents[0].document_id}`, tokens.alice, { method: 'DELETE' })).status).toBe(403);
    expect(await count()).toBe(before);
  });

  it('lets admins (an :admin key or ADMIN_USERS) add and remove documents', async () => {
    const added = await call('', tokens.root, { method: 'POST', body: JSON.stringify(DOC) });
    expect(added.status).toBe(201);
    const doc = (await added.json()) as KbDocumentCreated;
    expect((await call(`/${doc.document_id}`, tokens.bob, { method: 'DELETE' })).status).toBe(200);
  });

  it('runs the CLI with an admin token, and reports a non-admin one as refused', async () => {
    const env = { GATEWAY_URL: url };
    const listed = await kbCli(['list', '--token', tokens.alice], env);
    expect(listed.code).toBe(0);
    const denied = await kbCli(['remove', '00000000-0000-4000-8000-000000000000', '--token', tokens.alice], env);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^403 /);
    const missing = await kbCli(['remove', '00000000-0000-4000-8000-000000000000'], { ...env, KB_TOKEN: tokens.root });
    expect(missing.stderr).toMatch(/^404 Document not found/);
  });
});
