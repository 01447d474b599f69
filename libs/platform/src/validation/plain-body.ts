import { ValidationPipe, type Type } from '@nestjs/common';
import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, validate, ValidationTypes } from 'class-validator';

/** Unknown fields are refused (docs/api.md §1), by every service's pipe and by `validPlainBody`. */
const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true } as const;

/**
 * The validation every route's input goes through (unknown fields are rejected, docs/api.md §1;
 * `transform` hands handlers DTO instances, query strings converted by `@Type`; text is kept
 * exactly as sent). One instance: the app's pipe, and the gateway's direct stream-start routes.
 */
export const requestValidation = new ValidationPipe({ ...VALIDATOR_OPTIONS, transform: true });

/**
 * Whether class-transformer has nothing to do for `dto`: no `@Type`, `@Transform`, `@Expose` or
 * `@Exclude` on it, and no nested DTO to validate. Building such a DTO from a JSON object is
 * copying its fields, which is all `plainToInstance` then does.
 */
export function isPlainDto(dto: Type<object>): boolean {
  const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  if (rules.some((rule) => rule.type === ValidationTypes.NESTED_VALIDATION)) return false;
  if (defaultMetadataStorage.getExposedMetadatas(dto).length > 0 || defaultMetadataStorage.getExcludedMetadatas(dto).length > 0) return false;
  return rules.every(
    ({ propertyName }) =>
      defaultMetadataStorage.findTypeMetadata(dto, propertyName) === undefined &&
      defaultMetadataStorage.findTransformMetadatas(dto, propertyName, TransformationType.PLAIN_TO_CLASS).length === 0,
  );
}

/**
 * `requestValidation`'s answer for a JSON body, for a DTO that `isPlainDto`, in less code: the
 * body's fields on a new instance, checked by class-validator with the pipe's options. The body
 * must have passed `refusePrototypeKeys` (its fields are copied as they are). A body that breaks
 * a rule, or is not an object, goes through the pipe itself, which refuses it exactly as before.
 *
 * Why: a stream start is the gateway's busiest request, and each library on its path is code that
 * V8 must warm up again in every new process: in a ramp on a fresh gateway, a fifth of its CPU
 * went to compiling, with class-transformer's copy among the functions still being optimised
 * (docs/benchmarks.md, sixteenth sitting). Warm, the pipe takes about 10 µs for a start's body,
 * this 5.
 */
export async function validPlainBody<T extends object>(body: unknown, dto: Type<T>): Promise<T> {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const instance = Object.assign(new dto(), body);
    if ((await validate(instance, VALIDATOR_OPTIONS)).length === 0) return instance;
  }
  return (await requestValidation.transform(body, { type: 'body', metatype: dto })) as T;
}
