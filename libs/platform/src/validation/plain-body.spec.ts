import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { IsText } from './is-text.validator.js';
import { isPlainDto, requestValidation, validPlainBody } from './plain-body.js';

class Turn {
  @IsText({ min: 1, max: 50 })
  message!: string;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z-]+$/)
  user_id?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsText({ max: 10 }, { each: true })
  context?: string[];
}

class Part {
  @IsString()
  text!: string;
}

class WithNested {
  @ValidateNested({ each: true })
  @Type(() => Part)
  parts!: Part[];
}

class WithTransform {
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  name!: string;
}

/** What the pipe answers for `body`: its value, or the response of the exception it throws. */
async function viaPipe(body: unknown): Promise<unknown> {
  try {
    return await requestValidation.transform(body, { type: 'body', metatype: Turn });
  } catch (err) {
    return (err as { getResponse(): unknown }).getResponse();
  }
}

async function viaPlainPath(body: unknown): Promise<unknown> {
  try {
    return await validPlainBody(body, Turn);
  } catch (err) {
    return (err as { getResponse(): unknown }).getResponse();
  }
}

describe('isPlainDto', () => {
  it('is true for a DTO of plain fields and their rules', () => {
    expect(isPlainDto(Turn)).toBe(true);
  });

  it('is false when class-transformer has work to do: a nested DTO, a transformation', () => {
    expect(isPlainDto(WithNested)).toBe(false);
    expect(isPlainDto(WithTransform)).toBe(false);
  });
});

describe('validPlainBody answers what the validation pipe answers', () => {
  const bodies: Array<[string, unknown]> = [
    ['a full valid body', { message: 'Hello there', user_id: 'ann', context: ['a', 'b'] }],
    ['the required field only', { message: ' x ' }],
    ['an unknown field', { message: 'Hi', admin: true }],
    ['a missing required field', { user_id: 'ann' }],
    ['a wrong type', { message: 42 }],
    ['a rule broken inside an array', { message: 'Hi', context: ['far too long here'] }],
    ['an array instead of an object', [{ message: 'Hi' }]],
    ['null', null],
    ['a string', 'Hi'],
  ];

  it.each(bodies)('%s', async (_name, body) => {
    const expected = await viaPipe(structuredClone(body));
    const actual = await viaPlainPath(structuredClone(body));
    expect(actual).toEqual(expected);
    if (expected instanceof Turn) expect(actual).toBeInstanceOf(Turn);
  });

  it('hands the handler an instance of the DTO with the body as sent', async () => {
    const turn = await validPlainBody({ message: '  spaced  ', context: ['x'] }, Turn);
    expect(turn).toBeInstanceOf(Turn);
    expect(turn.message).toBe('  spaced  ');
    expect(turn.context).toEqual(['x']);
  });
});
