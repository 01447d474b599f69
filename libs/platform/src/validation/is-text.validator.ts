import { textProblem, type TextRule } from '@app/contracts';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

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
