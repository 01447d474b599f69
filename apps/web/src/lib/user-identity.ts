/**
 * Who this browser is while authentication is off (docs/api.md §8: `user_id` is then required). Generated
 * on the first visit and kept in localStorage; never a secret, so nothing is baked into the bundle.
 */
const STORAGE_KEY = 'chat.user_id';

/** docs/api.md §1: 1–128 characters of `[A-Za-z0-9_.@:-]`. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@:-]{1,128}$/;

export function isValidUserId(value: string): boolean {
  return USER_ID_PATTERN.test(value);
}

function generateUserId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `user-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function loadUserId(): string {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && isValidUserId(stored)) return stored;
  const created = generateUserId();
  localStorage.setItem(STORAGE_KEY, created);
  return created;
}

export function saveUserId(userId: string): void {
  localStorage.setItem(STORAGE_KEY, userId);
}
