import { IsIn, IsOptional, registerDecorator, type ValidationArguments } from 'class-validator';
import { KB_MAX_DOCUMENT_BYTES, KB_MAX_TITLE_CHARS, KB_MAX_URL_CHARS, textProblem, type KbDocumentFormat } from '@app/contracts';
import { IsText } from './is-text.validator.js';

/**
 * Why a document's content is refused, or null. Invalid UTF-8 in a JSON body reaches the
 * service decoded as U+FFFD (the replacement character), so its presence means the bytes were
 * not UTF-8: a document is refused rather than stored with its text silently damaged.
 */
export function documentContentProblem(value: unknown): string | null {
  const problem = textProblem(value, { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (problem) return problem;
  const text = value as string;
  if (text.includes('\uFFFD')) return 'is not valid UTF-8 (it contains U+FFFD, the replacement for undecodable bytes)';
  if (new TextEncoder().encode(text).length > KB_MAX_DOCUMENT_BYTES) return `must be at most ${KB_MAX_DOCUMENT_BYTES} bytes of UTF-8`;
  return null;
}

function IsDocumentContent() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDocumentContent',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => documentContentProblem(value) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${documentContentProblem(args.value) ?? 'is invalid'}`,
      },
    });
}

/** An http(s) URL, at most KB_MAX_URL_CHARS characters. */
function IsSourceUrl() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isSourceUrl',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value.length > KB_MAX_URL_CHARS || /[\s\p{Cc}]/u.test(value)) return false;
          try {
            return ['http:', 'https:'].includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
        defaultMessage: () => `source_url must be an http or https URL of at most ${KB_MAX_URL_CHARS} characters`,
      },
    });
}

/** Body of `POST /api/v1/kb/documents` (docs/api.md §14), and of history's `POST /kb/documents`. */
export class KbDocumentDto {
  @IsText({ min: 1, max: KB_MAX_TITLE_CHARS })
  title!: string;

  @IsDocumentContent()
  content!: string;

  /** `markdown` (the default) is split at its `##` headings; `text` into parts of whole paragraphs. */
  @IsOptional()
  @IsIn(['markdown', 'text'], { message: 'format must be markdown or text' })
  format?: KbDocumentFormat;

  @IsOptional()
  @IsSourceUrl()
  source_url?: string;
}
