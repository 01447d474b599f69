import { USER_ID_PATTERN, USER_ID_RULE } from '@app/contracts';
import { IsOptional, IsString, Matches } from 'class-validator';

/** docs/api.md §5: with auth off, the caller is the `user_id` query parameter (the auth guard reads it). */
export class OptionalUserQueryDto {
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  user_id?: string;
}
