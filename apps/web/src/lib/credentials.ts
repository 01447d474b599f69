import { ApiError } from './api-error';

/**
 * Who the API calls are made for. With a token, the server says who the caller is and any
 * `user_id` would only risk a 403, so none is sent; without one (auth off), `userId` names the caller.
 */
export interface Credentials {
  token: string | null;
  userId: string;
}

export function authHeaders(credentials: Credentials): Record<string, string> {
  return credentials.token ? { Authorization: `Bearer ${credentials.token}` } : {};
}

/** The `user_id` of a query or body: only without a token. */
export function userParams(credentials: Credentials): { user_id?: string } {
  return credentials.token ? {} : { user_id: credentials.userId };
}

/** `path` with the user in the query when there is no token (and any other parameters). */
export function withUser(path: string, credentials: Credentials, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ ...userParams(credentials), ...extra }).toString();
  return query ? `${path}?${query}` : path;
}

export interface AuthProblem {
  message: string;
  /** 401: the user has to paste a (new) token in Settings. */
  signIn: boolean;
}

/** A 401 or 403 said in words the user can act on; null for any other error. */
export function authProblem(err: unknown, tokenSet: boolean): AuthProblem | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 401) {
    return tokenSet
      ? { message: 'Token rejected: the server did not accept the access token (expired or invalid). Paste a new one in Settings.', signIn: true }
      : { message: 'Sign-in required: paste an access token in Settings.', signIn: true };
  }
  if (err.status === 403) {
    return {
      message: tokenSet
        ? "Forbidden: the request named a user id that is not the access token's user."
        : 'Forbidden: the user id does not match the credentials the server expects. Paste an access token in Settings, or change the user id.',
      signIn: false,
    };
  }
  return null;
}
