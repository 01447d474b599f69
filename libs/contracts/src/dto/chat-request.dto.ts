import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';

export const MESSAGE_MAX_CHARS = 8_000;
export const CONTEXT_MAX_ITEMS = 8;
export const CONTEXT_ITEM_MAX_CHARS = 4_000;
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@:-]{1,128}$/;
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Body of `POST /api/v1/chat/unified[/stream]` (API.md §1). Unknown fields are rejected by the pipe. */
export class ChatRequestDto {
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'message must not be empty' })
  @MaxLength(MESSAGE_MAX_CHARS)
  message!: string;

  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'user_id must be 1-128 characters of [A-Za-z0-9_.@:-]' })
  user_id!: string;

  @IsOptional()
  @IsString()
  @Matches(SESSION_ID_PATTERN, { message: 'session_id must be 1-128 characters of [A-Za-z0-9_.:-]' })
  session_id?: string;

  @IsOptional()
  @IsString()
  @Length(0, 32)
  language?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONTEXT_MAX_ITEMS)
  @IsString({ each: true })
  @MaxLength(CONTEXT_ITEM_MAX_CHARS, { each: true })
  context?: string[];
}
