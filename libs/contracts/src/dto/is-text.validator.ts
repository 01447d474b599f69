import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

export interface TextRule {
  /** Minimum characters after trimming (Unicode code points, as a user counts them). */
  min?: number;
  /** Maximum characters after trimming. */
  max: number;
}

/** Why a string is refused, or null. Exported for the UI and tests. */
export function textProblem(value: unknown, rule: TextRule): string | null {
  if (typeof value !== 'string') return 'must be a string';
  // A lone surrogate cannot be stored as UTF-8 and come back equal; PostgreSQL cannot store NUL.
  if (!value.isWellFormed()) return 'must be well-formed Unicode';
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  const length = [...value.trim()].length;
  if (length < (rule.min ?? 0)) return rule.min === 1 ? 'must not be empty' : `must be at least ${rule.min} characters`;
  if (length > rule.max) return `must be at most ${rule.max} characters`;
  return null;
}

/**
 * A text field whose length rule applies after trimming while the value itself is kept exactly
 * as sent, so what is stored equals what the client sent.
 */
export function IsText(rule: TextRule, options?: ValidationOptions & { each?: boolean }) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isText',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => textProblem(value, rule) === null,
        defaultMessage: (args: ValidationArguments) => {
          // With `each`, the message is built for the whole array: name the first bad item's problem.
          const problem = Array.isArray(args.value)
            ? args.value.map((item) => textProblem(item, rule)).find((p) => p !== null)
            : textProblem(args.value, rule);
          return `${args.property}${options?.each ? ' items' : ''} ${problem ?? 'is invalid'}`;
        },
      },
    });
}
