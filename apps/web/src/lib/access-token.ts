/**
 * The access token pasted in Settings, for a gateway with authentication on (AUTH_MODE jwt or
 * apikey). Kept in localStorage of this browser only: nothing is baked into the bundle, and the
 * token is never logged nor put in a URL.
 */
const STORAGE_KEY = 'chat.access_token';

/** What a pasted value means: surrounding space and a leading `Bearer ` are not part of the token. */
export function normaliseToken(raw: string): string {
  return raw.trim().replace(/^Bearer\s+/i, '');
}

/** A value that can travel in an `Authorization` header: visible ASCII, no spaces. */
export function isUsableToken(token: string): boolean {
  return /^[\x21-\x7e]{1,16384}$/.test(token);
}

export function loadAccessToken(): string | null {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored && isUsableToken(stored) ? stored : null;
  } catch {
    return null; // storage disabled: no token, as on a first visit
  }
}

export function saveAccessToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(STORAGE_KEY, token);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the token lasts as long as the page.
  }
}
