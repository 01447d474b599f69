import {
  CONTEXT_ITEM_MAX_CHARS,
  CONTEXT_MAX_ITEMS,
  LANGUAGE_MAX_CHARS,
  MESSAGE_MAX_CHARS,
  SESSION_ID_PATTERN,
  SESSION_ID_RULE,
  USER_ID_PATTERN,
  USER_ID_RULE,
  type ChatRequest,
} from '@app/contracts';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches } from 'class-validator';
import { IsText } from '@app/platform';

/** Body of `POST /api/v1/chat/unified[/stream]` (docs/api.md §1). Unknown fields are rejected by the pipe. */
export class ChatRequestDto implements ChatRequest {
  @IsText({ min: 1, max: MESSAGE_MAX_CHARS })
  message!: string;

  /** Required when auth is off; with auth on the caller comes from the credentials (must match if sent). */
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  user_id?: string;

  @IsOptional()
  @IsString()
  @Matches(SESSION_ID_PATTERN, { message: SESSION_ID_RULE })
  session_id?: string;

  @IsOptional()
  @IsText({ max: LANGUAGE_MAX_CHARS })
  language?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONTEXT_MAX_ITEMS)
  @IsText({ max: CONTEXT_ITEM_MAX_CHARS }, { each: true })
  context?: string[];
}
