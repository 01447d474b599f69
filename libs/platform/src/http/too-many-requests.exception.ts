import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 with the number of seconds to wait (sent as Retry-After by the exception filter). */
export class TooManyRequestsException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super({ message, retry_after_s: retryAfterS }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
