import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { KB_DOCUMENT_ID_PATTERN, KB_DOCUMENT_ID_RULE, SESSION_ID_PATTERN, SESSION_ID_RULE, USER_ID_PATTERN, USER_ID_RULE } from '@app/contracts';

/**
 * Checks one id of a path or query against its rule before the handler runs, so a malformed id
 * (a control character, an over-long value) is a 400 and never reaches Redis, history or
 * PostgreSQL (which cannot even compare a text with a NUL in it). The body has the shape of a
 * validation error: `message` is a list of rules broken.
 */
class IdPipe implements PipeTransform<unknown, string | undefined> {
  constructor(
    private readonly pattern: RegExp,
    private readonly rule: string,
    private readonly optional = false,
  ) {}

  transform(value: unknown): string | undefined {
    if (value === undefined && this.optional) return undefined;
    // A repeated query parameter arrives as an array: not an id either.
    if (typeof value !== 'string' || !this.pattern.test(value)) throw new BadRequestException([this.rule]);
    return value;
  }
}

/** A session id in a path (`/history/:session_id`, history's `/sessions/:id`). */
export const sessionIdPipe = new IdPipe(SESSION_ID_PATTERN, SESSION_ID_RULE);

/** A `user_id` query parameter on routes whose other query parameters have no DTO. */
export const optionalUserIdPipe = new IdPipe(USER_ID_PATTERN, USER_ID_RULE, true);

/** A knowledge-base document id in a path (docs/api.md §14): a UUID. */
export const documentIdPipe = new IdPipe(KB_DOCUMENT_ID_PATTERN, KB_DOCUMENT_ID_RULE);
