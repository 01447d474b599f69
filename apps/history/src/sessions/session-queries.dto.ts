import { STREAM_ID_PATTERN, USER_ID_PATTERN, USER_ID_RULE } from '@app/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class OwnerQueryDto {
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  user_id?: string;
}

export class RequiredOwnerQueryDto {
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  user_id!: string;
}

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
