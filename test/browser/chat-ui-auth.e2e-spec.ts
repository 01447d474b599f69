import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { DESKTOP, launchChromium, WEB_DIR } from '../support/browser.js';
import { lastReply, LONG_QUESTION, markdownOf, send, SHORT_QUESTION, statusOf, waitForStatus, waitForText } from '../support/chat-page.js';
import { TestStack } from '../support/test-stack.js';

const JWT_SECRET = `ui-auth-${randomBytes(24).toString('hex')}`;
const JWT_ISSUER = 'test-issuer';
const JWT_AUDIENCE = 'chat';

interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  stream_id: string;
  status: string;
}

interface SessionList {
  user_id: string;
  sessions: Array<{ session_id: string; title: string }>;
}

interface Chat {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** Everything the page wrote to its console (checked for the token). */
  console: string[];
  /** Every API request the page made. */
  requests: Request[];
}

const mint = (subject: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));

describe('web chat UI with authentication on (AUTH_MODE=jwt)', () => {
  let stack: TestStack;
  let browser: Browser;
  let base: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    if (!existsSync(`${WEB_DIR}/index.html`)) throw new Error(`${WEB_DIR} is missing: run "npm run build:web" first`);
    const [started, launched] = await Promise.allSettled([
      TestStack.start({ env: { PACING_MS: '20', WEB_DIR, AUTH_MODE: 'jwt', JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE } }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') stack = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
    base = stack.gateway.url;
    [alice, bob] = await Promise.all([mint('alice'), mint('bob')]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  /** A fresh browser profile (no token stored) on the chat page. */
  async function openChat(init?: string): Promise<Chat> {
    const context = await browser.newContext({
      viewport: DESKTOP,
      // The probes below are evaluated from strings, which the gateway's CSP forbids (no eval).
      bypassCSP: true,
    });
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    const chat: Chat = { context, page, errors: [], console: [], requests: [] };
    page.on('pageerror', (err) => chat.errors.push(err.message));
    page.on('console', (msg) => chat.console.push(msg.text()));
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.startsWith('/api/')) chat.requests.push(req);
    });
    await page.goto(base);
    return chat;
  }

  async function withChat(run: (chat: Chat) => Promise<void>, init?: string): Promise<void> {
    const chat = await openChat(init);
    try {
      await run(chat);
      expect(chat.errors).toEqual([]);
      for (const token of [alice, bob]) expect(chat.console.filter((line) => line.includes(token))).toEqual([]);
    } finally {
      await chat.context.close();
    }
  }

  /** Pastes a token in Settings (opening them if needed) and waits until the UI shows its user. */
  async function signIn(page: Page, token: string, user: string): Promise<void> {
    const input = page.locator('#access-token-input');
    if (!(await input.isVisible())) await page.getByRole('button', { name: /Access token/ }).click();
    await input.fill(token);
    await page.getByRole('button', { name: 'Save token', exact: true }).click();
    await page.locator('.user-id').filter({ hasText: new RegExp(`^${user}$`) }).waitFor();
  }

  const notice = (page: Page) => page.locator('.notice');

  async function api<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** The stored assistant message with this stream id, found with the user's own token (docs/api.md §5). */
  async function storedReply(token: string, streamId: string): Promise<{ sessionId: string; message: StoredMessage } | undefined> {
    const list = await api<SessionList>('/api/v1/chat/sessions', token);
    for (const session of list.sessions) {
      const history = await api<{ messages: StoredMessage[] }>(`/api/v1/chat/history/${session.session_id}`, token);
      const found = history.messages.find((m) => m.role === 'assistant' && m.stream_id === streamId);
      if (found) return { sessionId: session.session_id, message: found };
    }
    return undefined;
  }

  /** Every API call carried the token as a Bearer header and named no user_id, in the query or the body. */
  function expectAllSentWithToken(requests: Request[], token: string): void {
    expect(requests.length).toBeGreaterThan(0);
    for (const req of requests) {
      const url = new URL(req.url());
      expect(req.headers()['authorization']).toBe(`Bearer ${token}`);
      expect(url.searchParams.has('user_id')).toBe(false);
      expect(url.searchParams.has('access_token')).toBe(false);
      expect(req.url()).not.toContain(token);
      const body = req.postData();
      if (body) expect(JSON.parse(body)).not.toHaveProperty('user_id');
    }
  }

  it('without a token: the sign-in notice, Settings opened, and a failed reply with Retry instead of a placeholder', async () => {
    await withChat(async ({ page, requests }) => {
      // The sessions list already answered 401: the UI says so and opens the token field.
      await notice(page).filter({ hasText: 'Sign-in required: paste an access token in Settings' }).waitFor();
      expect(await page.locator('#access-token-input').isVisible()).toBe(true);
      expect(await page.locator('#access-token-input').getAttribute('type')).toBe('password');

      await page.getByRole('button', { name: 'Dismiss' }).click();
      await send(page, SHORT_QUESTION);
      await waitForStatus(page, 'failed', 5_000);
      expect(await page.locator('article[data-role="assistant"][data-status="streaming"]').count()).toBe(0);
      expect(await page.locator('article[data-role="assistant"]').count()).toBe(1);
      expect(await page.locator('.waiting').count()).toBe(0);
      expect(await lastReply(page).getByRole('alert').textContent()).toContain('Sign-in required');
      expect(await lastReply(page).getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
      await notice(page).filter({ hasText: 'Sign-in required' }).waitFor();
      expect(await page.locator('#message-input').isDisabled()).toBe(false);

      const posts = requests.filter((r) => r.method() === 'POST');
      expect(posts).toHaveLength(1);
      expect(posts[0].headers()['authorization']).toBeUndefined();
      expect(await page.evaluate(`localStorage.getItem('chat.access_token')`)).toBeNull();
    });
  }, 30_000);

  it('a rejected token says so, shows no user, and keeps Settings open', async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    await withChat(async ({ page }) => {
      await page.locator('#access-token-input').fill(forged);
      await page.getByRole('button', { name: 'Save token', exact: true }).click();
      await notice(page).filter({ hasText: 'Token rejected' }).waitFor();
      expect(await page.locator('#access-token-input').isVisible()).toBe(true);
      expect(await page.locator('.user-id').innerText()).toBe('not signed in');
      expect(await page.locator('li[data-session-id]').count()).toBe(0);
    });
  }, 30_000);

  it("with alice's token: streams to completion as alice, lists the session, and history equals the rendered Markdown", async () => {
    await withChat(async ({ page, requests }) => {
      await page.locator('#access-token-input').waitFor();
      const fromSignIn = requests.length; // the sessions list that answered 401 came before
      await signIn(page, alice, 'alice');
      // Read-only while a token is set; the token is stored in this browser, masked in the field.
      expect(await page.getByRole('button', { name: 'Change', exact: true }).count()).toBe(0);
      expect(await page.evaluate(`localStorage.getItem('chat.access_token')`)).toBe(alice);
      await page.getByRole('button', { name: /Access token/ }).click();
      const input = page.locator('#access-token-input');
      expect(await input.getAttribute('type')).toBe('password');
      expect(await input.inputValue()).toBe(alice);
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      expect(await input.getAttribute('type')).toBe('text');
      await page.getByRole('button', { name: 'Hide', exact: true }).click();
      expect(await input.getAttribute('type')).toBe('password');

      await send(page, SHORT_QUESTION);
      await waitForText(page, 1);
      await waitForStatus(page, 'completed');
      const streamId = (await lastReply(page).getAttribute('data-stream-id')) ?? '';
      expect(streamId).not.toBe('');

      const stored = await storedReply(alice, streamId);
      expect(stored?.message.status).toBe('completed');
      expect(await markdownOf(page)).toBe(stored?.message.content);
      await page.locator(`li[data-session-id="${stored!.sessionId}"]`).waitFor();
      expect(await page.locator('li[data-session-id]').count()).toBe(1);
      expect(await page.locator('.user-id').innerText()).toBe('alice');
      expect(await notice(page).count()).toBe(0);

      // Every call after the token was saved (stream POST, sessions, history) with the header only.
      const signedIn = requests.slice(fromSignIn);
      expect(signedIn.some((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/chat/unified/stream'))).toBe(true);
      expect(signedIn.some((r) => new URL(r.url()).pathname === '/api/v1/chat/sessions')).toBe(true);
      expectAllSentWithToken(signedIn, alice);
    });
  }, 40_000);

  it('resumes after a reload mid-stream with the token, with no repeated or missing words', async () => {
    await withChat(async ({ page, requests }) => {
      await page.locator('#access-token-input').waitFor();
      const fromSignIn = requests.length;
      await signIn(page, alice, 'alice');
      await send(page, LONG_QUESTION);
      await waitForText(page, 150);
      await page.reload();

      await waitForText(page, 150);
      expect(await statusOf(page)).toBe('streaming');
      await waitForStatus(page, 'completed');
      expect(await page.locator('.user-id').innerText()).toBe('alice');

      const streamId = (await lastReply(page).getAttribute('data-stream-id')) ?? '';
      const stored = await storedReply(alice, streamId);
      expect(stored?.message.status).toBe('completed');
      expect(await markdownOf(page)).toBe(stored?.message.content);

      const resumes = requests.filter((r) => new URL(r.url()).pathname.startsWith('/api/v1/chat/streams/'));
      expect(resumes).toHaveLength(1);
      expect(Number(new URL(resumes[0].url()).searchParams.get('last_event_id'))).toBeGreaterThan(0);
      // After the reload too (sessions, history, resume): the stored token, in the header only.
      expectAllSentWithToken(requests.slice(fromSignIn), alice);
      expect(await page.locator('article[data-role="user"]').count()).toBe(1);
      expect(await page.locator('article[data-role="assistant"]').count()).toBe(1);
    });
  }, 40_000);

  it("with bob's token, alice's sessions are not listed and cannot be opened", async () => {
    const seeded = await api<{ session_id: string }>('/api/v1/chat/unified', alice, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: SHORT_QUESTION }),
    });
    const aliceSessions = (await api<SessionList>('/api/v1/chat/sessions', alice)).sessions.map((s) => s.session_id);
    expect(aliceSessions).toContain(seeded.session_id);

    // The tab last had alice's conversation open: bob gets "no longer exists", not her messages.
    const init = `try { sessionStorage.setItem('chat.current_session', ${JSON.stringify(seeded.session_id)}) } catch {}`;
    await withChat(async ({ page }) => {
      await page.locator('#access-token-input').waitFor();
      await signIn(page, bob, 'bob');
      await page.reload();
      await page.locator('.user-id').filter({ hasText: /^bob$/ }).waitFor();
      await notice(page).filter({ hasText: 'That conversation no longer exists.' }).waitFor();
      expect(await page.locator('article').count()).toBe(0);

      await send(page, SHORT_QUESTION);
      await waitForStatus(page, 'completed');
      await page.locator('li[data-session-id]').first().waitFor();
      const shown = await page.locator('li[data-session-id]').evaluateAll((els) => els.map((el) => el.getAttribute('data-session-id')));
      expect(shown).toHaveLength(1);
      for (const id of aliceSessions) expect(shown).not.toContain(id);
      const bobs = await api<SessionList>('/api/v1/chat/sessions', bob);
      expect(bobs.user_id).toBe('bob');
      expect(shown).toEqual(bobs.sessions.map((s) => s.session_id));
    }, init);
  }, 40_000);

  it('a 403 explains the user id mismatch; clearing the token brings the editable user id back', async () => {
    await withChat(async ({ page }) => {
      await page.locator('#access-token-input').waitFor();
      await signIn(page, alice, 'alice');
      // The UI never names a user with a token; the test adds someone else's to get the 403.
      await page.route('**/api/v1/chat/unified/stream', async (route) => {
        const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
        await route.continue({ postData: JSON.stringify({ ...body, user_id: 'mallory' }) });
      });
      await send(page, SHORT_QUESTION);
      await waitForStatus(page, 'failed', 5_000);
      expect(await lastReply(page).getByRole('alert').textContent()).toMatch(/user id .*not the access token's user/);
      await notice(page).filter({ hasText: 'Forbidden' }).waitFor();
      expect(await lastReply(page).getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
      await page.unroute('**/api/v1/chat/unified/stream');

      if (!(await page.locator('#access-token-input').isVisible())) await page.getByRole('button', { name: /Access token/ }).click();
      await page.getByRole('button', { name: 'Clear', exact: true }).click();
      expect(await page.evaluate(`localStorage.getItem('chat.access_token')`)).toBeNull();
      const generated = String(await page.evaluate(`localStorage.getItem('chat.user_id')`));
      await page.locator('.user-id').filter({ hasText: generated }).waitFor();
      expect(await page.getByRole('button', { name: 'Change', exact: true }).isVisible()).toBe(true);
      // Without a token the server asks for one again.
      await notice(page).filter({ hasText: 'Sign-in required' }).waitFor();
    });
  }, 30_000);
});
