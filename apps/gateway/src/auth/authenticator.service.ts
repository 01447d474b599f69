import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { USER_ID_PATTERN } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import type { Request } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { hashApiKey, parseApiKeys, readApiKeysFile, type ApiKeyOwner } from './api-keys.js';
import type { Caller } from './caller.js';

const invalid = (message: string) => new UnauthorizedException({ message });

/** Turns a request's credentials into a caller, by AUTH_MODE. */
@Injectable()
export class Authenticator {
  private readonly apiKeys: Map<string, ApiKeyOwner>;
  private readonly adminUsers: ReadonlySet<string>;
  private readonly jwtKey?: Uint8Array | JWTVerifyGetKey;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.apiKeys = config.AUTH_MODE === 'apikey' ? parseApiKeys([config.API_KEYS, readApiKeysFile(config.API_KEYS_FILE)]) : new Map();
    this.adminUsers = new Set(config.ADMIN_USERS.split(',').map((u) => u.trim()).filter((u) => u !== ''));
    if (config.AUTH_MODE === 'jwt') {
      this.jwtKey = config.JWT_JWKS_URL ? createRemoteJWKSet(new URL(config.JWT_JWKS_URL)) : new TextEncoder().encode(config.JWT_SECRET);
    }
  }

  get enabled(): boolean {
    return this.config.AUTH_MODE !== 'none';
  }

  async authenticate(req: Request): Promise<Caller> {
    const token = credentialOf(req);
    if (!token) throw invalid('Missing credentials: send Authorization: Bearer <token>');
    const { userId, admin } = this.config.AUTH_MODE === 'jwt' ? { userId: await this.verifyJwt(token), admin: false } : this.verifyApiKey(token);
    return { userId, authenticated: true, admin: admin || this.adminUsers.has(userId) };
  }

  private async verifyJwt(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.jwtKey as never, {
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        algorithms: this.config.JWT_JWKS_URL ? undefined : ['HS256', 'HS384', 'HS512'],
      });
      if (typeof payload.sub !== 'string' || !USER_ID_PATTERN.test(payload.sub)) throw new Error('bad subject');
      return payload.sub;
    } catch {
      throw invalid('Invalid or expired token');
    }
  }

  private verifyApiKey(key: string): ApiKeyOwner {
    const owner = this.apiKeys.get(hashApiKey(key));
    if (!owner) throw invalid('Invalid API key');
    return owner;
  }
}

/** Bearer token, `X-API-Key`, or `access_token` in the query (EventSource cannot set headers). */
function credentialOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  const query = req.query.access_token;
  return typeof query === 'string' && query !== '' ? query : undefined;
}
