import { IsText } from '@app/platform';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export class KbSearchQueryDto {
  @IsText({ min: 1, max: 8_000 })
  q!: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 10;
}
