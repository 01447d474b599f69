import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MESSAGE_MAX_CHARS } from '@app/contracts';
import { IsText } from '@app/platform';
import { Unsupported } from './unsupported.validator.js';

const MAX_MESSAGES = 100;
/** The reply bound a request may ask for, in word chunks. */
const MAX_REPLY_TOKENS = 100_000;

const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export class ChatMessageDto {
  @IsIn(MESSAGE_ROLES, { message: 'role must be one of system, developer, user, assistant (tool messages are not supported)' })
  role!: MessageRole;

  /** Text only: content parts (images, audio) are not supported. */
  @IsText({ max: MESSAGE_MAX_CHARS })
  content!: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  name?: string;

  @Unsupported('tool calling')
  tool_calls?: unknown;

  @Unsupported('function calling')
  function_call?: unknown;
}

export class StreamOptionsDto {
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

/** Body of `POST /v1/chat/completions` (docs/api.md §13). Unknown fields are refused by the pipe. */
export class ChatCompletionRequestDto {
  @IsString()
  @MaxLength(256)
  model!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REPLY_TOKENS)
  max_tokens?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REPLY_TOKENS)
  max_completion_tokens?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number;

  /** With auth off it names the caller (a user_id); with auth on it is informational. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;

  @Unsupported('n > 1 (one choice per request)', (value) => value === 1)
  n?: unknown;

  @Unsupported('logprobs', (value) => value === false)
  logprobs?: unknown;

  @Unsupported('top_logprobs')
  top_logprobs?: unknown;

  @Unsupported('tool calling')
  tools?: unknown;

  @Unsupported('tool calling')
  tool_choice?: unknown;

  @Unsupported('tool calling')
  parallel_tool_calls?: unknown;

  @Unsupported('function calling')
  functions?: unknown;

  @Unsupported('function calling')
  function_call?: unknown;
}
