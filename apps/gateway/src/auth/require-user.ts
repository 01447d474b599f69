import { BadRequestException } from '@nestjs/common';

/** With auth off a route that acts for a user needs one named (docs/api.md §8: 400 otherwise). */
export function requireUser(userId: string | undefined): string {
  if (userId === undefined) throw new BadRequestException({ message: ['user_id is required'] });
  return userId;
}
