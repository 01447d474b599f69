import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { postJson } from '../support/sse-reader.js';
import { DESKTOP, launchChromium, WEB_DIR } from '../support/browser.js';
import { lastReply, LONG_QUESTION, markdownOf, send, SHORT_QUESTION, statusOf, waitForStatus, waitForText } from '../support/chat-page.js';
import { TestStack } from '../support/test-stack.js';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots', import.meta.url));
const PHONE = { width: 375, height: 800 };
const HOSTILE_PASSAGE = 'Security test: <img src=x onerror="window.__xss=1"> and [click](javascript:window.__xss=2)';

// Page-side code is passed as strings: the root tsconfig has no DOM lib, and must not get one.
const SCROLLER = `document.querySelector('.scroller')`;

interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  stream_id: string;
  status: string;
}

interface Chat {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page. */
  errors: string[];
}

describe('web chat UI in a real browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let base: string;
  let users = 0;

  beforeAll(async () => {
    if (!existsSync(`${WEB_DIR}/index.html`)) throw new Error(`${WEB_DIR} is missing: run "npm run build:web" first`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const [started, launched] = await Promise.allSettled([
      TestStack.start({ env: { PACING_MS: '30', WEB_DIR } }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') stack = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
    base = stack.gateway.url;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  const newUser = (label: string) => `ui-${label}-${process.pid}-${++users}`;

  /** A fresh browser profile whose stored user id is `userId`, on the chat page. */
  async function openChat(
    userId: string,
    options: { viewport?: typeof DESKTOP; colorScheme?: 'light' | 'dark'; enforceCsp?: boolean } = {},
  ): Promise<Chat> {
    const context = await browser.newContext({
      viewport: options.viewport ?? DESKTOP,
      colorScheme: options.colorScheme ?? 'light',
      acceptDownloads: true,
      // The probes below are evaluated from strings, which the gateway's CSP forbids (no eval);
      // the test "runs under the gateway's Content-Security-Policy" keeps the CSP on.
      bypassCSP: !options.enforceCsp,
    });
    // Only the first page sets it: the UI's own settings field may change it later. (about:blank has no storage.)
    const id = JSON.stringify(userId);
    await context.addInitScript(`try { if (!localStorage.getItem('chat.user_id')) localStorage.setItem('chat.user_id', ${id}) } catch {}`);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(base);
    await page.locator('.user-id').filter({ hasText: userId }).waitFor();
    return { context, page, errors };
  }

  async function withChat(userId: string, run: (chat: Chat) => Promise<void>, options?: Parameters<typeof openChat>[1]): Promise<void> {
    const chat = await openChat(userId, options);
    try {
      await run(chat);
      expect(chat.errors).toEqual([]);
    } finally {
      await chat.context.close();
    }
  }


  async function json<T>(path: string): Promise<T> {
    const res = await fetch(`${base}${path}`);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** The stored assistant message of the user's only session with this stream id (docs/api.md §5). */
  async function storedReply(userId: string, streamId: string): Promise<StoredMessage | undefined> {
    const list = await json<{ sessions: Array<{ session_id: string }> }>(`/api/v1/chat/sessions?user_id=${userId}`);
    for (const session of list.sessions) {
      const history = await json<{ messages: StoredMessage[] }>(`/api/v1/chat/history/${session.session_id}?user_id=${userId}`);
      const found = history.messages.find((m) => m.role === 'assistant' && m.stream_id === streamId);
      if (found) return found;
    }
    return undefined;
  }

  async function expectStoredEqualsShown(page: Page, userId: string, status = 'completed'): Promise<StoredMessage> {
    const streamId = (await lastReply(page).getAttribute('data-stream-id')) ?? '';
    expect(streamId).not.toBe('');
    const stored = await storedReply(userId, streamId);
    expect(stored?.status).toBe(status);
    expect(await markdownOf(page)).toBe(stored?.content);
    return stored!;
  }

  it('streams the reply into a placeholder that grows over time and ends equal to the stored reply', async () => {
    const userId = newUser('grow');
    await withChat(userId, async ({ context, page }) => {
      await send(page, LONG_QUESTION);
      const reply = lastReply(page);
      await reply.waitFor();
      expect(await reply.getAttribute('aria-live')).toBe('polite');
      expect(await page.locator('#message-input').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: /Stop/ }).isEnabled()).toBe(true);

      // Sample the DOM at several instants: each sample extends the previous one.
      const samples: string[] = [];
      let liveStats = '';
      for (let i = 0; i < 120 && (await statusOf(page)) === 'streaming'; i++) {
        samples.push(await markdownOf(page));
        if (!liveStats && samples.at(-1)!.length > 0) liveStats = (await reply.locator('.stats').textContent()) ?? '';
        await page.waitForTimeout(200);
      }
      const growing = samples.filter((s) => s.length > 0);
      expect(new Set(growing.map((s) => s.length)).size).toBeGreaterThanOrEqual(5);
      growing.slice(1).forEach((s, i) => expect(s.startsWith(growing[i])).toBe(true));
      expect(liveStats).toMatch(/TTFT \d+ ms.*tok\/s/);

      await waitForStatus(page, 'completed');
      const stored = await expectStoredEqualsShown(page, userId);
      expect(stored.content).toContain('```bash');
      expect(samples.at(-1)!.length).toBeLessThan(stored.content.length + 1);

      // Rendered Markdown: highlighted code with a copy button, the text itself, ELP and stats kept.
      const rendered = (await reply.locator('.markdown').innerText()).replace(/\s+/g, ' ');
      expect(rendered).toContain('Sources: Configuration; Deploying with Docker Compose');
      expect(rendered).not.toContain('**');
      expect(await reply.locator('.code-block pre code.hljs.language-bash').count()).toBe(1);
      expect(await reply.locator('button.copy-code').count()).toBe(1);
      expect(await reply.getByRole('meter').count()).toBe(3);
      for (const name of ['Ethos', 'Logos', 'Pathos']) {
        const value = Number(await reply.getByRole('meter', { name }).getAttribute('aria-valuenow'));
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(13);
      }
      expect(await reply.locator('[data-flux]').textContent()).toMatch(/^[0-9]$/);
      expect(await reply.locator('.stats').textContent()).toMatch(/TTFT \d+ ms.*tok\/s.*\d+ tokens/);
      expect(await reply.getAttribute('aria-live')).toBe('off');
      expect(await page.locator('#message-input').isDisabled()).toBe(false);

      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      await reply.locator('button.copy-code').click();
      await reply.locator('button.copy-code', { hasText: 'Copied' }).waitFor();
      const code = await reply.locator('.code-block pre code').textContent();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(code);
      expect(stored.content).toContain(code!);
    });
  }, 40_000);

  it("runs under the gateway's Content-Security-Policy without a single violation", async () => {
    const userId = newUser('csp');
    const chat = await openChat(userId, { enforceCsp: true });
    const violations: string[] = [];
    chat.page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    try {
      const page = await chat.page.goto(base);
      expect(page?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
      await send(chat.page, LONG_QUESTION);
      // Polled from here: string probes are exactly what this CSP forbids.
      for (let i = 0; i < 100 && (await statusOf(chat.page)) !== 'completed'; i++) await chat.page.waitForTimeout(100);
      expect(await statusOf(chat.page)).toBe('completed');
      expect(await lastReply(chat.page).locator('.code-block pre code.hljs').count()).toBe(1);
      expect(violations).toEqual([]);
      expect(chat.errors).toEqual([]);
    } finally {
      await chat.context.close();
    }
  }, 40_000);

  it('lists the sources under a finished reply: a link for a document added with a URL, the title for a shipped article', async () => {
    const added = await fetch(`${base}/api/v1/kb/documents?user_id=ui-admin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Zorblax turbines', content: 'A zorblax turbine spins at 42 rpm in its fast mode.', source_url: 'https://example.com/zorblax' }),
    });
    expect(added.status).toBe(201);
    await withChat(newUser('sources'), async ({ page }) => {
      await send(page, 'How fast does a zorblax turbine spin?');
      await waitForStatus(page, 'completed');
      const link = lastReply(page).locator('[data-role="sources"] a');
      expect(await link.textContent()).toBe('Zorblax turbines');
      expect(await link.getAttribute('href')).toBe('https://example.com/zorblax');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

      await send(page, SHORT_QUESTION);
      await waitForStatus(page, 'completed');
      const sources = lastReply(page).locator('[data-role="sources"]');
      expect(await sources.locator('li').count()).toBeGreaterThan(0);
      expect(await sources.locator('a').count()).toBe(0);
    });
  }, 40_000);

  it('follows the stream at the bottom, stops following when scrolled up, resumes back at the bottom', async () => {
    await withChat(
      newUser('scroll'),
      async ({ page }) => {
        const distanceFromBottom = async () =>
          Number(await page.evaluate(`(s => s.scrollHeight - s.scrollTop - s.clientHeight)(${SCROLLER})`));
        const overflow = async () => Number(await page.evaluate(`(s => s.scrollHeight - s.clientHeight)(${SCROLLER})`));
        await send(page, LONG_QUESTION);
        await page.waitForFunction(`(s => s.scrollHeight - s.clientHeight > 150)(${SCROLLER})`, undefined, { timeout: 10_000 });
        expect(await distanceFromBottom()).toBeLessThanOrEqual(32);

        await page.evaluate(`${SCROLLER}.scrollTop = 0`);
        const heightWhenLeft = await overflow();
        await page.waitForFunction(`(s => s.scrollHeight - s.clientHeight > ${heightWhenLeft + 60})(${SCROLLER})`);
        expect(Number(await page.evaluate(`${SCROLLER}.scrollTop`))).toBe(0);
        expect(await statusOf(page)).toBe('streaming');

        await page.getByRole('button', { name: /Latest/ }).click();
        const heightWhenBack = await overflow();
        await page.waitForFunction(`(s => s.scrollHeight - s.clientHeight > ${heightWhenBack + 60})(${SCROLLER})`);
        expect(await distanceFromBottom()).toBeLessThanOrEqual(32);
        await waitForStatus(page, 'completed');
        expect(await distanceFromBottom()).toBeLessThanOrEqual(32);
      },
      { viewport: { width: 800, height: 420 } },
    );
  }, 40_000);

  it('Stop ends the stream within 1 s, marks the reply stopped, and history stores it as cancelled', async () => {
    const userId = newUser('stop');
    await withChat(userId, async ({ page }) => {
      await send(page, LONG_QUESTION);
      await waitForText(page, 80);
      const clickedAt = Date.now();
      await page.getByRole('button', { name: /Stop/ }).click();
      await waitForStatus(page, 'stopped', 1_000);
      expect(Date.now() - clickedAt).toBeLessThan(1_000);

      const atStop = await markdownOf(page);
      await page.waitForTimeout(300);
      expect(await markdownOf(page)).toBe(atStop);
      expect(await lastReply(page).getByText('Stopped', { exact: true }).isVisible()).toBe(true);
      expect(await page.locator('#message-input').isDisabled()).toBe(false);
      expect(await lastReply(page).locator('.stats').textContent()).toMatch(/tok\/s/);

      const stored = await expectStoredEqualsShown(page, userId, 'cancelled');
      expect(stored.content.length).toBeGreaterThanOrEqual(80);
    });
  }, 30_000);

  it('resumes after a reload mid-stream from the last seq, with no repeated or missing words', async () => {
    const userId = newUser('reload');
    await withChat(userId, async ({ page }) => {
      const resumes: string[] = [];
      page.on('request', (req) => {
        if (req.url().includes('/api/v1/chat/streams/')) resumes.push(req.url());
      });
      await send(page, LONG_QUESTION);
      await waitForText(page, 150);
      await page.reload();

      // The text it had is back at once (from sessionStorage), then the rest streams in.
      await waitForText(page, 150);
      expect(await statusOf(page)).toBe('streaming');
      await waitForStatus(page, 'completed');
      await expectStoredEqualsShown(page, userId);
      expect(resumes).toHaveLength(1);
      expect(Number(new URL(resumes[0]).searchParams.get('last_event_id'))).toBeGreaterThan(0);
      expect(await page.locator('article[data-role="user"]').count()).toBe(1);
      expect(await page.locator('article[data-role="assistant"]').count()).toBe(1);
    });
  }, 40_000);

  it('lets a new tab re-attach to the running reply through the sessions list', async () => {
    const userId = newUser('tab');
    await withChat(userId, async ({ context, page }) => {
      await send(page, LONG_QUESTION);
      await waitForText(page, 40);

      const other = await context.newPage(); // shares localStorage (the user), not sessionStorage
      await other.goto(base);
      const item = other.locator('li[data-session-id]');
      await item.locator('.live').waitFor();
      await item.locator('button.open').click();
      await waitForStatus(other, 'streaming');
      await waitForStatus(other, 'completed');
      await waitForStatus(page, 'completed');
      await expectStoredEqualsShown(other, userId);
      expect(await markdownOf(page)).toBe(await markdownOf(other));
    });
  }, 40_000);

  it('renders a reply with hostile HTML as inert text: no handler runs, no javascript: link', async () => {
    const userId = newUser('xss');
    await withChat(userId, async ({ page }) => {
      // The UI never sends `context`; the test adds one so the deterministic reply quotes it.
      await page.route('**/api/v1/chat/unified/stream', async (route) => {
        const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
        await route.continue({ postData: JSON.stringify({ ...body, context: [HOSTILE_PASSAGE] }) });
      });
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await send(page, 'security test');
      await waitForStatus(page, 'completed');
      const stored = await expectStoredEqualsShown(page, userId);
      expect(stored.content).toContain('<img src=x onerror="window.__xss=1">');
      expect(stored.content).toContain('[click](javascript:window.__xss=2)');

      const markdown = lastReply(page).locator('.markdown');
      expect(await markdown.innerText()).toContain('<img src=x onerror="window.__xss=1">');
      expect(await markdown.locator('img').count()).toBe(0);
      expect(await markdown.locator('[onerror], [onclick], [onload], script, iframe').count()).toBe(0);
      expect(await markdown.locator('a[href*="javascript" i]').count()).toBe(0);
      const link = markdown.getByText('click', { exact: true });
      if ((await link.count()) > 0) await link.first().click();
      await page.waitForTimeout(200);
      expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
      expect(dialogs).toEqual([]);
    });
  }, 30_000);

  it('marks a reply whose request failed with a Retry button, and Retry sends it again', async () => {
    const userId = newUser('retry');
    await withChat(userId, async ({ page }) => {
      await page.route(
        '**/api/v1/chat/unified/stream',
        (route) =>
          route.fulfill({
            status: 503,
            headers: { 'Retry-After': '1' },
            contentType: 'application/json',
            body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'Redis is unavailable' }),
          }),
        { times: 1 },
      );
      await send(page, SHORT_QUESTION);
      await waitForStatus(page, 'failed', 5_000);
      expect(await lastReply(page).getByRole('alert').textContent()).toContain('Redis is unavailable');
      expect(await page.locator('#message-input').isDisabled()).toBe(false);

      await lastReply(page).getByRole('button', { name: 'Retry' }).click();
      await waitForStatus(page, 'completed');
      await expectStoredEqualsShown(page, userId);
      expect(await page.locator('article[data-role="user"]').count()).toBe(1);
      expect(await page.locator('article[data-role="assistant"]').count()).toBe(1);
    });
  }, 30_000);

  it('sidebar: lists the sessions of the chosen user id newest first, opens one, deletes one after confirmation', async () => {
    const userId = newUser('sidebar');
    const seeded = await Promise.all(
      [SHORT_QUESTION, 'How does resuming a stream work?'].map(async (message) => {
        const res = await postJson(`${base}/api/v1/chat/unified`, { message, user_id: userId });
        expect(res.status).toBe(200);
        return { message, ...((await res.json()) as { session_id: string; response: string }) };
      }),
    );
    const list = await json<{ sessions: Array<{ session_id: string; title: string }> }>(`/api/v1/chat/sessions?user_id=${userId}`);
    expect(list.sessions).toHaveLength(2);

    // A profile that starts as someone else, then switches identity in the settings field.
    await withChat(newUser('someone-else'), async ({ page }) => {
      await page.getByRole('button', { name: 'Change', exact: true }).click();
      await page.locator('#user-id-input').fill('not valid!');
      expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
      await page.locator('#user-id-input').fill(userId);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('.user-id').filter({ hasText: userId }).waitFor();
      expect(await page.evaluate(`localStorage.getItem('chat.user_id')`)).toBe(userId);

      const items = page.locator('li[data-session-id]');
      await page.waitForFunction(`document.querySelectorAll('li[data-session-id]').length === 2`);
      const shownIds = await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-session-id')));
      expect(shownIds).toEqual(list.sessions.map((s) => s.session_id));
      for (const s of list.sessions) expect(await items.filter({ hasText: s.title }).count()).toBe(1);

      // Open the older one.
      const older = seeded.find((s) => s.session_id === list.sessions[1].session_id)!;
      await page.locator(`li[data-session-id="${older.session_id}"] button.open`).click();
      await waitForStatus(page, 'completed');
      expect(await page.locator('article[data-role="user"]').innerText()).toBe(older.message);
      expect(await markdownOf(page)).toBe(older.response);
      expect(await page.locator('.chat-header h1').innerText()).toBe(list.sessions[1].title);

      // Delete it: the first click only asks.
      const item = page.locator(`li[data-session-id="${older.session_id}"]`);
      await item.getByRole('button', { name: /Delete conversation/ }).click();
      expect(await items.count()).toBe(2);
      await item.getByRole('group', { name: 'Confirm deletion' }).getByRole('button', { name: 'Delete', exact: true }).click();
      await page.waitForFunction(`document.querySelectorAll('li[data-session-id]').length === 1`);
      expect(await items.first().getAttribute('data-session-id')).toBe(list.sessions[0].session_id);
      expect(await page.locator('.chat-header h1').innerText()).toBe('New chat');
      expect(await page.locator('article').count()).toBe(0);
    });
    const gone = await fetch(`${base}/api/v1/chat/history/${list.sessions[1].session_id}?user_id=${userId}`);
    expect(gone.status).toBe(404);
  }, 40_000);

  it('exports the open session as a downloaded .md file with its turns', async () => {
    const userId = newUser('export');
    await withChat(userId, async ({ page }) => {
      // Shift+Enter is a newline, not a send.
      const input = page.locator('#message-input');
      await input.pressSequentially('first line');
      await input.press('Shift+Enter');
      await input.pressSequentially('second line');
      expect(await input.inputValue()).toBe('first line\nsecond line');
      expect(await page.locator('article').count()).toBe(0);

      await send(page, SHORT_QUESTION);
      await waitForStatus(page, 'completed');
      const stored = await expectStoredEqualsShown(page, userId);
      await page.locator('li[data-session-id]').first().waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Export/ }).click()]);
      expect(download.suggestedFilename()).toMatch(/^chat-.*\.md$/);
      const text = readFileSync(await download.path(), 'utf8');
      expect(text).toMatch(new RegExp(`^# ${SHORT_QUESTION.replace(/\?/g, '\\?')}\\n`));
      expect(text).toContain(`## User\n`);
      expect(text).toContain(`\n${SHORT_QUESTION}\n`);
      expect(text).toContain(`## Assistant\n`);
      expect(text).toContain(stored.content.trimEnd());
      expect(text.indexOf('## User')).toBeLessThan(text.indexOf('## Assistant'));
    });
  }, 30_000);

  it('writes screenshots: desktop and 375 px, light and dark, mid-stream and finished', async () => {
    const variants = [
      { name: 'desktop-light', viewport: DESKTOP, colorScheme: 'light' as const },
      { name: 'desktop-dark', viewport: DESKTOP, colorScheme: 'dark' as const },
      { name: 'mobile-light', viewport: PHONE, colorScheme: 'light' as const },
      { name: 'mobile-dark', viewport: PHONE, colorScheme: 'dark' as const },
    ];
    const written: string[] = [];
    await Promise.all(
      variants.map((v) =>
        withChat(
          newUser(v.name),
          async ({ page }) => {
            await send(page, LONG_QUESTION);
            await waitForText(page, 250);
            await page.screenshot({ path: `${SCREENSHOTS}/${v.name}-streaming.png` });
            await waitForStatus(page, 'completed');
            await page.screenshot({ path: `${SCREENSHOTS}/${v.name}-finished.png` });
            written.push(`${v.name}-streaming.png`, `${v.name}-finished.png`);
            if (v.viewport === PHONE) {
              // Usable at 375 px: nothing wider than the screen, the sidebar is a drawer.
              expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(PHONE.width);
              await page.getByRole('button', { name: 'Conversations', exact: true }).click();
              await page.locator('li[data-session-id]').first().waitFor();
              await page.waitForTimeout(300); // the drawer's slide-in transition
              await page.screenshot({ path: `${SCREENSHOTS}/${v.name}-sidebar.png` });
              written.push(`${v.name}-sidebar.png`);
            }
          },
          { viewport: v.viewport, colorScheme: v.colorScheme },
        ),
      ),
    );
    expect(written).toHaveLength(10);
    for (const file of written) expect(statSync(`${SCREENSHOTS}/${file}`).size).toBeGreaterThan(5_000);
  }, 60_000);
});
