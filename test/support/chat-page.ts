import type { Page } from 'playwright-core';

/** About 140 chunks, with a code block: seconds at the suites' pacing, time enough to watch, stop, reload. */
export const LONG_QUESTION = 'How do I configure the Redis connection?';
/** About 70 chunks. */
export const SHORT_QUESTION = 'How do I run the tests?';

// Page-side code is passed as strings: the root tsconfig has no DOM lib, and must not get one.
const LAST_REPLY = `[...document.querySelectorAll('article[data-role="assistant"]')].at(-1)`;

/** What the browser suites do and read on the chat page. */
export async function send(page: Page, text: string): Promise<void> {
  await page.locator('#message-input').fill(text);
  await page.locator('#message-input').press('Enter');
}

export const lastReply = (page: Page) => page.locator('article[data-role="assistant"]').last();
export const markdownOf = async (page: Page) => (await lastReply(page).getAttribute('data-markdown')) ?? '';
export const statusOf = (page: Page) => lastReply(page).getAttribute('data-status');

export async function waitForStatus(page: Page, status: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(`${LAST_REPLY}?.dataset.status === ${JSON.stringify(status)}`, undefined, { timeout });
}

export async function waitForText(page: Page, minChars: number): Promise<void> {
  await page.waitForFunction(`(${LAST_REPLY}?.dataset.markdown ?? '').length >= ${minChars}`, undefined, { timeout: 10_000 });
}
