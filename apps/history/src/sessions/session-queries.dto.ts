import { STREAM_ID_PATTERN, USER_ID_PATTERN, USER_ID_RULE } from '@app/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** An optional `user_id` query: when given, only that user's data is answered (another user's session is a 404). */
export class OwnerQueryDto {
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  user_id?: string;
}

/** A `user_id` query a route cannot do without (the list of a user's sessions). */
export class RequiredOwnerQueryDto {
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  user_id!: string;
}

/** The context read of a generator: the last `limit` turns, without the turn being generated. */
export class ContextQueryDto {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(200)
  limit = 10;

  /** The stream whose turn is being generated (a stream id, so a UUIDv4). */
  @IsOptional()
  @IsString()
  @Matches(STREAM_ID_PATTERN, { message: 'exclude_stream must be a stream id (a UUIDv4)' })
  exclude_stream?: string;
}
