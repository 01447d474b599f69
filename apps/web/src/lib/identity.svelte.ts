import { isUsableToken, loadAccessToken, normaliseToken, saveAccessToken } from './access-token';
import { authProblem, type Credentials } from './credentials';
import { isValidUserId, loadUserId, saveUserId } from './user-identity';

/**
 * Who this browser chats as: a user id of its own while auth is off, or an access token whose
 * user the server names. Every API call is made with `credentials`, read at the time of the call.
 */
export class Identity {
  /** The user id this browser uses while no access token is set (auth off). */
  userId = $state(loadUserId());
  /** The access token from Settings, sent as `Authorization: Bearer`; null when none is set. */
  accessToken = $state<string | null>(loadAccessToken());
  /** With a token: the user it stands for, as the sessions list answered (null until known, or rejected). */
  tokenUser = $state<string | null>(null);
  /** The user shown in Settings: read-only while a token is set. */
  displayedUser = $derived(this.accessToken ? (this.tokenUser ?? '') : this.userId);
  /** Settings expanded (opened by the user, or by a 401 asking for a token). */
  settingsOpen = $state(false);

  get credentials(): Credentials {
    return { token: this.accessToken, userId: this.userId };
  }

  /** Who owns what this tab streams (matched on reload); null while a token's user is unknown. */
  get owner(): string | null {
    return this.accessToken ? this.tokenUser : this.userId;
  }

  /** Takes a new user id (auth off). False when it is not a valid one. */
  changeUserId(userId: string): boolean {
    if (!isValidUserId(userId)) return false;
    saveUserId(userId);
    this.userId = userId;
    return true;
  }

  /**
   * Sets (a pasted value) or clears (null) the access token. 'invalid' for a value that cannot be
   * a token, 'changed' when the user may now be someone else, 'same' otherwise.
   */
  changeToken(raw: string | null): 'invalid' | 'changed' | 'same' {
    const token = raw === null ? null : normaliseToken(raw);
    if (token !== null && !isUsableToken(token)) return 'invalid';
    if (token === this.accessToken) return 'same';
    saveAccessToken(token);
    this.accessToken = token;
    this.tokenUser = null;
    return 'changed';
  }

  /**
   * A 401/403 said in words (a 401 also opens Settings for a token and forgets the token's
   * user); null for any other error.
   */
  authMessage(err: unknown): string | null {
    const problem = authProblem(err, this.accessToken !== null);
    if (!problem) return null;
    if (problem.signIn) {
      this.settingsOpen = true;
      this.tokenUser = null;
    }
    return problem.message;
  }
}
