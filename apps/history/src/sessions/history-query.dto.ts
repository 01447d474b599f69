import { USER_ID_PATTERN } from '@app/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class OwnerQueryDto {
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'user_id must be 1-128 characters of [A-Za-z0-9_.@:-]' })
  user_id?: string;
}

export class RequiredOwnerQueryDto {
  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'user_id must be 1-128 characters of [A-Za-z0-9_.@:-]' })
  user_id!: string;
}

export class ContextQueryDto {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(200)
  limit = 10;

  @IsOptional()
  @IsString()
  exclude_stream?: string;
}
