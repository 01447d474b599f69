import { USER_ID_PATTERN } from '@app/contracts';
import { IsOptional, IsString, Matches } from 'class-validator';

const message = 'user_id must be 1-128 characters of [A-Za-z0-9_.@:-]';

/** docs/api.md §5: with auth off, the caller is the `user_id` query parameter (the auth guard reads it). */
export class OptionalUserQueryDto {
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message })
  user_id?: string;
}
