/**
 * Every error body the emulator sends on Bandwidth's surface, in one catalogue. Where Bandwidth's wording is
 * published (https://dev.bandwidth.com/docs/messaging/errors; the spec's `createMessageRequestError`,
 * `messagingRequestError` and their examples) it is used verbatim; elsewhere the wording is ours and documented in
 * the README.
 */

/** One entry of Bandwidth's `fieldErrors` array. */
export interface FieldError {
  fieldName: string;
  description: string;
}

/** The `{type, description[, fieldErrors]}` body of Bandwidth's messaging errors. */
export interface BandwidthErrorBody {
  type: string;
  description: string;
  fieldErrors?: FieldError[];
}

/** An error that carries the exact HTTP status and Bandwidth body to answer with. */
export class BandwidthError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: BandwidthErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.description);
    this.name = 'BandwidthError';
  }
}

/** Bandwidth's stable error `type` strings. */
export const ErrorType = {
  validation: 'request-validation',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  unsupportedContentType: 'unsupported-content-type',
  methodNotAllowed: 'method-not-allowed',
  notAcceptable: 'not-acceptable',
  notFound: 'not-found',
  queueFull: 'max-message-queue-size-exceeded',
  rateLimited: 'rate_limit_exceeded',
  internal: 'internal-server-error',
} as const;

/** Bandwidth's generic description for a rejected request. */
const GENERIC_VALIDATION_DESCRIPTION = 'Your request could not be accepted';

/** Builders for every Bandwidth-shaped error the emulator answers with. */
export const bandwidthErrors = {
  validation(fieldErrors: FieldError[], description = GENERIC_VALIDATION_DESCRIPTION): BandwidthError {
    const body: BandwidthErrorBody = { type: ErrorType.validation, description };
    if (fieldErrors.length > 0) body.fieldErrors = fieldErrors;
    return new BandwidthError(400, body);
  },
  /**
   * A 404 in the spec's messagingNotFoundError shape ({type, description}), which every messaging operation declares;
   * the emulator answers it only when a scenario's apiFault asks (an unknown path gets Bandwidth's Spring-style 404).
   */
  notFound(): BandwidthError {
    return new BandwidthError(404, { type: ErrorType.notFound, description: 'The requested resource was not found' });
  },
  unauthorized(): BandwidthError {
    return new BandwidthError(401, { type: ErrorType.unauthorized, description: 'Authentication Failed' });
  },
  forbidden(): BandwidthError {
    return new BandwidthError(403, { type: ErrorType.forbidden, description: 'Access Denied' });
  },
  unsupportedContentType(contentType: string | undefined): BandwidthError {
    return new BandwidthError(415, {
      type: ErrorType.unsupportedContentType,
      description: `Content type '${contentType ?? ''}' not supported. Please use 'application/json'`,
    });
  },
  methodNotAllowed(method: string): BandwidthError {
    return new BandwidthError(405, {
      type: ErrorType.methodNotAllowed,
      description: `Request method '${method}' not supported`,
    });
  },
  /**
   * The 406 for an Accept header none of the operation's types satisfies (the spec's messagingNotAcceptableError, a
   * messagingRequestError with no example): the type is ours, in Bandwidth's kebab-case, the wording Spring's.
   */
  notAcceptable(shownAccept: string, offered: readonly string[]): BandwidthError {
    return new BandwidthError(406, {
      type: ErrorType.notAcceptable,
      description: `Could not find acceptable representation: the Accept header '${shownAccept}' accepts none of ${offered.join(', ')}; accept one of them, or */*`,
    });
  },
  /**
   * The 429 a full per-account queue gets, in Bandwidth's words with the account's figures (defaults: 1 MPS, the
   * 15-minute queue), and a Retry-After in seconds. Body: https://dev.bandwidth.com/docs/messaging/errors (429 tab)
   * and rateLimits; Bandwidth documents no Retry-After on this 429: the header is the emulator's (README "Throughput
   * and the queue").
   */
  queueFull(
    retryAfterSeconds: number,
    queue: { ratePerMinute: number; capacity: number; minutes: number } = { ratePerMinute: 60, capacity: 900, minutes: 15 },
  ): BandwidthError {
    return new BandwidthError(
      429,
      {
        type: ErrorType.queueFull,
        description: `The SMS queue for your account is full and cannot accept more messages right now. Your allowed rate is ${queue.ratePerMinute} messages per minute. The capacity of this queue is ${queue.capacity} messages (${queue.minutes} minutes). Reduce your message sending rate, or contact support to increase your allowed rate.`,
      },
      { 'retry-after': String(retryAfterSeconds) },
    );
  },
  /**
   * The search API's 429, as the spec's listMessagesTooManyRequestsError example words it (bandwidth.yml; "Exceeding the
   * limit returns HTTP 429 with a `Retry-After` header"), with Retry-After in seconds.
   */
  searchRateLimited(retryAfterSeconds: number): BandwidthError {
    return new BandwidthError(
      429,
      { type: ErrorType.rateLimited, description: 'Rate limit exceeded. Wait for Retry-After time before sending another request.' },
      { 'retry-after': String(retryAfterSeconds) },
    );
  },
  /**
   * The media API's 429 (the spec's messagingTooManyRequestsError: a messagingRequestError with no example, so the
   * wording is ours): the messaging API's other rate-limit body, with Retry-After in seconds.
   */
  mediaRateLimited(retryAfterSeconds: number): BandwidthError {
    return new BandwidthError(
      429,
      { type: ErrorType.rateLimited, description: 'Rate limit exceeded. Wait for Retry-After time before sending another request.' },
      { 'retry-after': String(retryAfterSeconds) },
    );
  },
  /** The data dir could not write what the answer depends on: nothing was kept or sent, the client may send again. */
  storageUnavailable(detail: string): BandwidthError {
    return new BandwidthError(
      503,
      { type: 'service-unavailable', description: `The emulator could not store this request: ${detail}` },
      { 'retry-after': '1' },
    );
  },
  unavailable(): BandwidthError {
    return new BandwidthError(503, { type: 'service-unavailable', description: 'The service is temporarily unavailable; try again later' });
  },
  internal(): BandwidthError {
    return new BandwidthError(500, { type: ErrorType.internal, description: 'Internal server error' });
  },
} as const;

/** Field-error wordings for create-message validation (E.164 text is Bandwidth's, live-confirmed; the rest ours). */
export const fieldErrorText = {
  invalidE164: (value: string) => `'${value}' must be replaced with a valid E164 formatted telephone number`,
  invalidFrom: (value: string) =>
    `'${value}' must be replaced with a valid E164 formatted telephone number or an alphanumeric sender id (up to 11 characters of A-Z a-z 0-9 space - + _ &, with at least one letter)`,
  required: (field: string) => `'${field}' is required`,
  tooManyRecipients: (count: number, max: number) => `A message can have at most ${max} recipients; ${count} were given. Split it into several messages`,
  duplicateRecipient: (value: string) => `'${value}' appears more than once in 'to'; each recipient may be listed once`,
  tooLong: (field: string, max: number, actual: number) => `'${field}' must be ${max} characters or less; it has ${actual}`,
  tooManyMedia: (count: number, max: number) => `A message can have at most ${max} media URLs; ${count} were given`,
  badPriority: (value: unknown) => `'${String(value)}' is not a valid priority; use 'default' or 'high'`,
  badExpiration: (value: string) => `'${value}' is not a valid RFC-3339 date-time such as 2021-03-14T01:59:26Z or 2021-03-13T20:59:26-05:00`,
  pastExpiration: (value: string) => `'${value}' must be a date-time in the future`,
  noContent: () => `A message needs 'text', 'media' or both`,
  wrongType: (field: string, expected: string) => `'${field}' must be ${expected}`,
} as const;

/** Spring-style body Bandwidth answers for an unknown path. */
export function notFoundBody(path: string, nowMs: number): Record<string, unknown> {
  return {
    timestamp: new Date(nowMs).toISOString().replace('Z', '+0000'),
    status: 404,
    error: 'Not Found',
    message: 'Not Found',
    path,
  };
}

/** An error in the emulator's own input (config file, env, flag, scenario file): names the source, field and fix. */
export class EmulatorConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ source: string; field: string; problem: string; fix: string; line?: number }>) {
    super(problems.map((p) => `${p.source}${p.line ? `:${p.line}` : ''}: ${p.field}: ${p.problem}. Fix: ${p.fix}`).join('\n'));
    this.name = 'EmulatorConfigError';
  }
}
