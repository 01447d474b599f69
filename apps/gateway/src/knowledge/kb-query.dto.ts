import { USER_ID_PATTERN, USER_ID_RULE } from '@app/contracts';
import { IsOptional, IsString, Matches } from 'class-validator';

/** docs/api.md §14: the only query parameter is `user_id` (with auth off, the caller; the auth guard reads it). */
export class KbQueryDto {
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  user_id?: string;
}
