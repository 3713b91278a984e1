import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type, type TSchema } from 'typebox';
import { isE164 } from '../config/schema.js';
import type { FieldError } from '../errors.js';
import type { Channel } from '../store/messages.js';
import { MESSAGE_LIMITS, expirationProblem, isSenderId } from './message-request.js';

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;

/** Bandwidth's limits on a multichannel request: the spec's `multiChannelMessageRequest` and the `multiChannel*`, `rbm*` schemas it uses. */
export const MULTICHANNEL_LIMITS = {
  channels: 4,
  smsText: 2048,
  rbmText: 3270,
  fileUrl: 1000,
  suggestions: 11,
  cardSuggestions: 4,
  suggestionText: 25,
  postbackData: 2048,
  cardTitle: 200,
  cardDescription: 2000,
  carouselMin: 2,
  carouselMax: 10,
} as const;

const ChannelName = Type.Union([Type.Literal('RBM'), Type.Literal('SMS'), Type.Literal('MMS')]);

/** The multichannel request's envelope; each item's `content` is checked by its own channel's schema afterwards. */
export const MultiChannelRequestSchema = Type.Object({
  to: Type.String(),
  channelList: Type.Array(
    Type.Object({
      from: Type.String({ minLength: 1 }),
      applicationId: Type.String({ minLength: 1 }),
      channel: ChannelName,
      content: Type.Object({}),
    }),
    { minItems: 1, maxItems: MULTICHANNEL_LIMITS.channels },
  ),
  tag: Type.Optional(Type.String({ maxLength: MESSAGE_LIMITS.tag })),
  priority: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('high')])),
  expiration: Type.Optional(Type.String()),
});

const FileUrl = Type.String({ format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: MULTICHANNEL_LIMITS.fileUrl });
const Suggestion = Type.Object({
  type: Type.Union(['REPLY', 'DIAL_PHONE', 'SHOW_LOCATION', 'CREATE_CALENDAR_EVENT', 'OPEN_URL', 'REQUEST_LOCATION'].map((t) => Type.Literal(t))),
  text: Type.String({ maxLength: MULTICHANNEL_LIMITS.suggestionText }),
  postbackData: Type.String({ maxLength: MULTICHANNEL_LIMITS.postbackData }),
});
const Suggestions = Type.Array(Suggestion, { maxItems: MULTICHANNEL_LIMITS.suggestions });
const CardContent = Type.Object({
  title: Type.Optional(Type.String({ maxLength: MULTICHANNEL_LIMITS.cardTitle })),
  description: Type.Optional(Type.String({ maxLength: MULTICHANNEL_LIMITS.cardDescription })),
  media: Type.Optional(
    Type.Object({
      fileUrl: FileUrl,
      thumbnailUrl: Type.Optional(FileUrl),
      height: Type.Union([Type.Literal('SHORT'), Type.Literal('MEDIUM'), Type.Literal('TALL')]),
    }),
  ),
  suggestions: Type.Optional(Type.Array(Suggestion, { maxItems: MULTICHANNEL_LIMITS.cardSuggestions })),
});

// One schema per content shape. RBM's four shapes are told apart by their keys first, so a mistake is reported
// against the shape the caller meant, not as four failed oneOf branches.
const CONTENT_SCHEMAS: Record<string, TSchema> = {
  SMS: Type.Object({ text: Type.String({ minLength: 1, maxLength: MULTICHANNEL_LIMITS.smsText }) }),
  MMS: Type.Object({
    text: Type.Optional(Type.String({ maxLength: MULTICHANNEL_LIMITS.smsText })),
    media: Type.Optional(Type.Array(Type.Object({ fileUrl: FileUrl }), { maxItems: MESSAGE_LIMITS.media })),
  }),
  'RBM text': Type.Object({ text: Type.String({ minLength: 1, maxLength: MULTICHANNEL_LIMITS.rbmText }), suggestions: Type.Optional(Suggestions) }),
  'RBM media': Type.Object({
    media: Type.Array(Type.Object({ fileUrl: FileUrl, thumbnailUrl: Type.Optional(FileUrl) }), { minItems: 1 }),
    suggestions: Type.Optional(Suggestions),
  }),
  'RBM card': Type.Object({
    orientation: Type.Union([Type.Literal('HORIZONTAL'), Type.Literal('VERTICAL')]),
    thumbnailImageAlignment: Type.Optional(Type.Union([Type.Literal('LEFT'), Type.Literal('RIGHT')])),
    cardContent: CardContent,
    suggestions: Type.Optional(Suggestions),
  }),
  'RBM carousel': Type.Object({
    cardWidth: Type.Union([Type.Literal('SMALL'), Type.Literal('MEDIUM')]),
    cardContents: Type.Array(CardContent, { minItems: MULTICHANNEL_LIMITS.carouselMin, maxItems: MULTICHANNEL_LIMITS.carouselMax }),
    suggestions: Type.Optional(Suggestions),
  }),
};

// Compiled on first use, then kept: the validators are pure functions of their schema and hold no per-emulator
// state, and compiling all six at import cost ~50 ms of every cold start, multichannel or not.
let contentAjv: InstanceType<typeof Ajv> | undefined;
const contentValidators = new Map<string, ValidateFunction>();

/** The compiled content validator for one shape (a key of CONTENT_SCHEMAS). */
function contentValidator(shape: string): ValidateFunction {
  let validate = contentValidators.get(shape);
  if (!validate) {
    if (!contentAjv) {
      contentAjv = new Ajv({ allErrors: true, verbose: true, coerceTypes: false, strict: false });
      addFormats(contentAjv);
    }
    validate = contentAjv.compile(CONTENT_SCHEMAS[shape]!);
    contentValidators.set(shape, validate);
  }
  return validate;
}

/** Which content shape an item's content is meant to be. */
function contentShape(channel: Channel, content: Record<string, unknown>): string | undefined {
  if (channel !== 'RBM') return channel;
  if ('text' in content) return 'RBM text';
  if ('cardContents' in content || 'cardWidth' in content) return 'RBM carousel';
  if ('cardContent' in content || 'orientation' in content) return 'RBM card';
  if ('media' in content) return 'RBM media';
  return undefined;
}

/** `channelList[0].content.media[1].fileUrl` from ajv's `/channelList/0/...`, under a prefix. */
function fieldPath(instancePath: string, prefix = ''): string {
  const parts = instancePath.split('/').slice(1);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), prefix);
}

const article = (type: string) => (/^[aeiou]/.test(type) ? 'an' : 'a');

/** Schema failures as field errors, one per problem, named by the full field path. */
export function multiChannelSchemaErrors(errors: readonly ErrorObject[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = fieldPath(error.instancePath, prefix);
    const value = (error as { data?: unknown }).data;
    const name = (missing: string) => (field ? `${field}.${missing}` : missing);
    switch (error.keyword) {
      case 'required':
        out.push({
          fieldName: name(String(error.params.missingProperty)),
          description: `The '${name(String(error.params.missingProperty))}' field is required`,
        });
        break;
      case 'maxLength':
        out.push({
          fieldName: field,
          description: `The '${field}' field must be ${String(error.params.limit)} characters or less; it has ${typeof value === 'string' ? value.length : 0}`,
        });
        break;
      case 'minLength':
        out.push({ fieldName: field, description: `The '${field}' field must not be empty` });
        break;
      case 'maxItems':
      case 'minItems':
        out.push({
          fieldName: field,
          description: `The '${field}' field must have ${error.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(error.params.limit)} items; it has ${Array.isArray(value) ? value.length : 0}`,
        });
        break;
      case 'const':
      case 'anyOf': {
        const allowed = ((error.parentSchema as { anyOf?: Array<{ const?: unknown }> } | undefined)?.anyOf ?? []).map((b) => String(b.const));
        if (error.keyword === 'anyOf')
          out.push({ fieldName: field, description: `The '${field}' field must be one of ${allowed.join(', ')}; '${String(value)}' is not` });
        break;
      }
      case 'format':
      case 'pattern':
        out.push({ fieldName: field, description: `The '${field}' field must be an absolute http(s) URL; '${String(value)}' is not` });
        break;
      case 'type':
        out.push({
          fieldName: field || '(body)',
          description: field
            ? `The '${field}' field must be ${article(String(error.params.type))} ${String(error.params.type)}`
            : 'The request body must be a JSON object',
        });
        break;
      default:
        out.push({ fieldName: field || '(body)', description: `The '${field}' field ${error.message ?? 'is invalid'}` });
    }
  }
  // A union failure reports each branch; keep one line per field and text.
  return out.filter((e, i) => out.findIndex((o) => o.fieldName === e.fieldName && o.description === e.description) === i);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

// The type-specific fields of a suggested action (spec `rbmAction*`), and its base64 postback data.
function suggestionErrors(suggestion: Record<string, unknown>, path: string): FieldError[] {
  const out: FieldError[] = [];
  const need = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(suggestion[key]))
      out.push({
        fieldName: `${path}.${key}`,
        description: `The '${path}.${key}' field is required for a ${String(suggestion.type)} suggestion and must be ${what}`,
      });
  };
  if (typeof suggestion.postbackData === 'string' && !BASE64.test(suggestion.postbackData)) {
    out.push({ fieldName: `${path}.postbackData`, description: `The '${path}.postbackData' field must be base64-encoded` });
  }
  const rfc3339 = (v: unknown) => typeof v === 'string' && Number.isFinite(Date.parse(v));
  switch (suggestion.type) {
    case 'DIAL_PHONE':
      need('phoneNumber', (v) => typeof v === 'string' && isE164(v), 'an E.164 telephone number');
      break;
    case 'SHOW_LOCATION':
      need('latitude', (v) => typeof v === 'string' && DECIMAL.test(v) && Math.abs(Number(v)) <= 90, 'a decimal string from -90 to 90');
      need('longitude', (v) => typeof v === 'string' && DECIMAL.test(v) && Math.abs(Number(v)) <= 180, 'a decimal string from -180 to 180');
      break;
    case 'CREATE_CALENDAR_EVENT':
      need('title', (v) => typeof v === 'string' && v.length > 0 && v.length <= 100, 'a title of 1 to 100 characters');
      need('startTime', rfc3339, 'an RFC-3339 date-time');
      need('endTime', rfc3339, 'an RFC-3339 date-time');
      break;
    case 'OPEN_URL':
      need('url', (v) => typeof v === 'string' && /^https?:\/\//i.test(v) && v.length <= 2048, 'an http(s) URL of at most 2048 characters');
      break;
  }
  return out;
}

function cardErrors(card: Record<string, unknown>, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (card.title === undefined && card.description === undefined && card.media === undefined) {
    out.push({ fieldName: path, description: `The '${path}' field must contain at least one of title, description or media` });
  }
  if (Array.isArray(card.suggestions))
    out.push(...card.suggestions.flatMap((s, i) => suggestionErrors(s as Record<string, unknown>, `${path}.suggestions[${i}]`)));
  return out;
}

// Content rules per channel, after its schema passed.
function contentRules(shape: string, content: Record<string, unknown>, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (shape === 'MMS' && (content.text ?? '') === '' && !(Array.isArray(content.media) && content.media.length > 0)) {
    out.push({ fieldName: path, description: `The '${path}' field of an MMS needs text, media or both` });
  }
  // Only RBM content has suggestions (its schema checked each is an object); an SMS or MMS passes any extra key through.
  if (shape.startsWith('RBM') && Array.isArray(content.suggestions))
    out.push(...content.suggestions.flatMap((s, i) => suggestionErrors(s as Record<string, unknown>, `${path}.suggestions[${i}]`)));
  if (shape === 'RBM card') out.push(...cardErrors(content.cardContent as Record<string, unknown>, `${path}.cardContent`));
  if (shape === 'RBM carousel')
    out.push(...(content.cardContents as Array<Record<string, unknown>>).flatMap((c, i) => cardErrors(c, `${path}.cardContents[${i}]`)));
  return out;
}

/** The rules the envelope schema cannot say: E.164 `to`, sender ids, each channel's content, a future expiration. */
export function multiChannelSemanticErrors(body: Record<string, unknown>, nowMs: number): FieldError[] {
  const out: FieldError[] = [];
  // Runs even when the envelope schema failed, so every problem is reported at once: guard each type.
  if (typeof body.to === 'string' && !isE164(body.to)) {
    out.push({ fieldName: 'to', description: `The 'to' field must contain exactly one telephone number in E164 format; '${body.to}' is not` });
  }
  (Array.isArray(body.channelList) ? body.channelList : []).forEach((raw, i) => {
    if (!raw || typeof raw !== 'object') return;
    const item = raw as Record<string, unknown>;
    const at = `channelList[${i}]`;
    // SMS and MMS go out from a number (or an alphanumeric sender id); RBM from the agent's sender id, any text.
    if ((item.channel === 'SMS' || item.channel === 'MMS') && typeof item.from === 'string' && !isE164(item.from) && !isSenderId(item.from)) {
      out.push({
        fieldName: `${at}.from`,
        description: `The '${at}.from' field must contain exactly one telephone number (E164) or an alphanumeric sender id; '${item.from}' is not`,
      });
    }
    const content = item.content;
    if (!content || typeof content !== 'object' || Array.isArray(content) || !['RBM', 'SMS', 'MMS'].includes(String(item.channel))) return;
    const shape = contentShape(item.channel as Channel, content as Record<string, unknown>);
    if (!shape) {
      out.push({
        fieldName: `${at}.content`,
        description: `The '${at}.content' field of an RBM message must be a text ({text}), media ({media}), standalone card ({orientation, cardContent}) or carousel ({cardWidth, cardContents}) message`,
      });
      return;
    }
    const validate = contentValidator(shape);
    if (!validate(content)) out.push(...multiChannelSchemaErrors(validate.errors ?? [], `${at}.content`));
    else out.push(...contentRules(shape, content as Record<string, unknown>, `${at}.content`));
  });
  if (typeof body.expiration === 'string') {
    const problem = expirationProblem(body.expiration, nowMs);
    // The plain API's wording names the value only; the envelope's description names the field as every other does.
    if (problem) out.push({ fieldName: 'expiration', description: `The 'expiration' field is invalid: ${problem}` });
  }
  return out;
}
