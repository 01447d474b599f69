import { registerDecorator } from 'class-validator';

/**
 * A field of OpenAI's API that this server does not implement (docs/api.md §13): refused with a
 * message that says so, rather than "should not exist". `accepts` lets the value that means
 * "not used" through (`n: 1`, `logprobs: false`).
 */
export function Unsupported(what: string, accepts: (value: unknown) => boolean = () => false) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'unsupported',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => value === undefined || value === null || accepts(value),
        defaultMessage: () => `${propertyName}: ${what} is not supported`,
      },
    });
}
