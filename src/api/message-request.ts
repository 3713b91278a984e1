import { Type, type Static } from 'typebox';
import type { ErrorObject } from 'ajv';
import { isE164 } from '../config/schema.js';
import { fieldErrorText, type FieldError } from '../errors.js';

/**
 * Bandwidth's limits on a create-message request: the spec's `messageText`, `messageMedia` and `tag` (in
 * `messageRequest`), 10 recipients (https://dev.bandwidth.com/docs/messaging/webhooks) and 10 attachments
 * (https://www.bandwidth.com/support/en/articles/12823216).
 */
export const MESSAGE_LIMITS = { recipients: 10, text: 2048, tag: 1024, mediaUrl: 4096, media: 10 } as const;

/** The create-message body as JSON Schema (TypeBox): structure and lengths; semantic rules are checked after. */
export const MessageRequestSchema = Type.Object({
  applicationId: Type.String(),
  to: Type.Array(Type.String(), { minItems: 1, maxItems: MESSAGE_LIMITS.recipients, uniqueItems: true }),
  from: Type.String(),
  text: Type.Optional(Type.String({ maxLength: MESSAGE_LIMITS.text })),
  media: Type.Optional(
    Type.Array(Type.String({ maxLength: MESSAGE_LIMITS.mediaUrl, format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' }), { maxItems: MESSAGE_LIMITS.media }),
  ),
  tag: Type.Optional(Type.String({ maxLength: MESSAGE_LIMITS.tag })),
  priority: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('high')])),
  expiration: Type.Optional(Type.String()),
});

/** A structurally valid create-message body. */
export type MessageRequestBody = Static<typeof MessageRequestSchema>;

const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 +_&-]{1,11}$/;
// RFC 3339 date-time: a date, 'T', a time, optional fraction, and a zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whether `from` is an alphanumeric sender id (up to 11 characters, at least one letter). */
export function isSenderId(from: string): boolean {
  return ALPHANUMERIC_SENDER.test(from);
}

/** Why an `expiration` is refused (not RFC-3339, or not in the future), or undefined when it is fine. */
export function expirationProblem(value: string, nowMs: number): string | undefined {
  const at = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(at)) return fieldErrorText.badExpiration(value);
  if (at <= nowMs) return fieldErrorText.pastExpiration(value);
  return undefined;
}

function fieldPath(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** Turn schema failures into Bandwidth `fieldErrors`, one per problem, worded for a person. */
export function schemaFieldErrors(errors: readonly ErrorObject[], body: unknown): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = fieldPath(error);
    const value = (error as { data?: unknown }).data;
    switch (error.keyword) {
      case 'required': {
        const missing = String(error.params.missingProperty);
        out.push({ fieldName: missing, description: fieldErrorText.required(missing) });
        break;
      }
      case 'maxLength':
        out.push({ fieldName: field, description: fieldErrorText.tooLong(field, Number(error.params.limit), typeof value === 'string' ? value.length : 0) });
        break;
      case 'maxItems':
        out.push({
          fieldName: field,
          description:
            field === 'to'
              ? fieldErrorText.tooManyRecipients(Array.isArray(value) ? value.length : 0, Number(error.params.limit))
              : fieldErrorText.tooManyMedia(Array.isArray(value) ? value.length : 0, Number(error.params.limit)),
        });
        break;
      case 'minItems':
        out.push({ fieldName: field, description: `'${field}' needs at least one recipient` });
        break;
      case 'uniqueItems': {
        const list = (body as { to?: unknown[] }).to ?? [];
        const dup = list.find((v, i) => list.indexOf(v) !== i);
        out.push({ fieldName: field, description: fieldErrorText.duplicateRecipient(String(dup)) });
        break;
      }
      case 'const':
      case 'anyOf':
        if (field === 'priority') out.push({ fieldName: field, description: fieldErrorText.badPriority(value) });
        break;
      case 'format':
      case 'pattern':
        out.push({ fieldName: field, description: `'${String(value)}' is not a valid URL; media must be absolute http(s) URLs` });
        break;
      case 'type':
        out.push({
          fieldName: field || '(body)',
          description: field
            ? fieldErrorText.wrongType(field, `${/^[aeiou]/.test(String(error.params.type)) ? 'an' : 'a'} ${String(error.params.type)}`)
            : 'The request body must be a JSON object',
        });
        break;
      default:
        out.push({ fieldName: field || '(body)', description: `'${field}' ${error.message ?? 'is invalid'}` });
    }
  }
  // A union failure reports both branches; one line per field is enough.
  return out.filter((e, i) => out.findIndex((o) => o.fieldName === e.fieldName && o.description === e.description) === i);
}

/** The rules JSON Schema cannot say: E.164 numbers, sender ids, a future RFC-3339 expiration, some content. */
export function semanticFieldErrors(body: Partial<MessageRequestBody>, nowMs: number): FieldError[] {
  const out: FieldError[] = [];
  // Runs even when the schema failed, so every problem is reported at once: guard each type.
  (Array.isArray(body.to) ? body.to : []).forEach((to, i) => {
    if (typeof to === 'string' && !isE164(to)) out.push({ fieldName: `to[${i}]`, description: fieldErrorText.invalidE164(to) });
  });
  if (typeof body.from === 'string' && !isE164(body.from) && !ALPHANUMERIC_SENDER.test(body.from)) {
    out.push({
      fieldName: 'from',
      description: body.from.startsWith('+') || /^\d+$/.test(body.from) ? fieldErrorText.invalidE164(body.from) : fieldErrorText.invalidFrom(body.from),
    });
  }
  if (typeof body.expiration === 'string') {
    const problem = expirationProblem(body.expiration, nowMs);
    if (problem) out.push({ fieldName: 'expiration', description: problem });
  }
  if ((body.text ?? '') === '' && (Array.isArray(body.media) ? body.media : []).length === 0)
    out.push({ fieldName: 'text', description: fieldErrorText.noContent() });
  return out;
}
