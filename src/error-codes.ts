// Bandwidth's message-failed codes, checked against its errors page (https://dev.bandwidth.com/docs/messaging/errors;
// its source, Bandwidth/api-docs site/docs/messaging/errors.mdx, last changed 2023-09-14), plus the codes published
// since or elsewhere: 4794 (a support article, effective 2026-02-09) and 4476 and 5229 (only in Bandwidth's CLI).
// docs/error-codes.md is generated from this table (`npm run docs:error-codes`); a test keeps them in step.

/** The errors page, where every code without another source comes from. */
export const ERRORS_PAGE_URL = 'https://dev.bandwidth.com/docs/messaging/errors';
/** The day the table was last checked against the errors page, the support articles and the CLI guide. */
export const ERROR_CODES_CHECKED_ON = '2026-12-01';
const CLI_AGENTS_URL = 'https://github.com/Bandwidth/cli/blob/main/AGENTS.md';
const ARTICLE_4794_URL = 'https://www.bandwidth.com/support/en/articles/13566494-new-error-code-for-expired-messages-4-794';

/** Who found the problem and what kind it is: the page's five tables (the first two digits of the code). */
export type ErrorCodeGroup = 'bandwidth-client' | 'carrier-client' | 'bandwidth-service' | 'carrier-service' | 'ambiguous';

/**
 * Whether sending the same message again can help: `no` (the same result), `yes` (a different result can be
 * expected), `once` (at most one retry), `later` (after backing off: a limit or a shutdown), `not-advised` (it may
 * have been delivered, or nobody knows why it failed).
 */
export type RetryAdvice = 'no' | 'yes' | 'once' | 'later' | 'not-advised';

/** Where a code is published: the errors page, a Bandwidth support article, or only Bandwidth's CLI guide. */
export type ErrorCodeSourceKind = 'errors-page' | 'support-article' | 'cli';

/** One message-failed code as the emulator knows it. */
export interface MessageErrorCode {
  code: number;
  /** The page's "Description" column: the code's type string (e.g. `invalid-destination-address`). */
  name: string;
  /** The page's "Friendly Description", verbatim. */
  text: string;
  /** The `description` the emulator sends in message-failed (Bandwidth: "purely informative"; only errorCode counts). */
  description: string;
  group: ErrorCodeGroup;
  /** Whether Bandwidth bills the message (the page's "Billable" column). */
  billable: boolean;
  retry: RetryAdvice;
  /** Why that retry advice: the page's rule for the group, or the code's own explanation. */
  retryWhy: string;
  source: { kind: ErrorCodeSourceKind; url: string };
  /** What is inferred rather than published, or where sources disagree. */
  note?: string;
}

/** Each group as the page titles it, with what the page says about billing and retries for all of its codes. */
export const ERROR_CODE_GROUPS: Readonly<Record<ErrorCodeGroup, { title: string; billable: boolean; retry: RetryAdvice; retryWhy: string }>> = {
  'bandwidth-client': {
    title: 'Bandwidth detected client errors',
    billable: false,
    retry: 'no',
    retryWhy: 'Repeating the request will produce the same result (errors page, 4xxx).',
  },
  'carrier-client': {
    title: 'Carrier reported client errors',
    billable: true,
    retry: 'no',
    retryWhy: 'Repeating the request will produce the same result (errors page, 4xxx).',
  },
  'bandwidth-service': {
    title: 'Bandwidth service failures',
    billable: false,
    retry: 'yes',
    retryWhy: 'For Bandwidth failures a retry can be expected to give a different result (errors page, 5xxx).',
  },
  'carrier-service': {
    title: 'Carrier reported service failures',
    billable: true,
    retry: 'once',
    retryWhy: 'A retry may give a different result, but limit it to a single retry (errors page, 56xx).',
  },
  ambiguous: {
    title: 'Carrier errors with ambiguous cause',
    billable: true,
    retry: 'not-advised',
    retryWhy: 'The page gives no retry rule for these: the cause is not known.',
  },
};

type Row = [code: number, group: ErrorCodeGroup, name: string, text: string, description: string, extra?: Partial<MessageErrorCode>];

const INVENTED_NAME = 'Bandwidth publishes no type string for it; the name is the emulator’s.';

// [code, group, name, friendly text, the emulator's callback description, what differs from the group]. The callback
// descriptions are the emulator's since its first release (tests and users match on them) and are kept; 4432's is the
// one Bandwidth publishes in its example ("forbidden to country").
const ROWS: readonly Row[] = [
  [4001, 'bandwidth-client', 'service-not-allowed', 'Message was rejected for reasons other than those covered by other 4xxx codes', 'Service not allowed'],
  [4301, 'bandwidth-client', 'malformed-invalid-encoding', 'Malformed message encoding', 'Message contains characters that cannot be encoded'],
  [4302, 'bandwidth-client', 'malformed-invalid-from-number', 'Malformed From number', 'Invalid from number'],
  [4303, 'bandwidth-client', 'malformed-invalid-to-number', 'Malformed To Number', 'Invalid to number'],
  [4350, 'bandwidth-client', 'malformed-for-destination', 'Malformed message encoding', 'Malformed for destination'],
  [
    4360,
    'bandwidth-client',
    'message-not-sent-expiration-date-passed',
    'Message expired',
    'Message expiration date passed',
    { retryWhy: 'The same request expires again: send it anew with a later expiration (or none).' },
  ],
  [4401, 'bandwidth-client', 'rejected-routing-error', 'BW is unable to route the message', 'Routing error'],
  [4403, 'bandwidth-client', 'rejected-forbidden-from-number', 'Messaging forbidden on From number', 'Forbidden from number'],
  [4404, 'bandwidth-client', 'rejected-forbidden-to-number', 'Messaging forbidden on To number', 'Forbidden to number'],
  [4405, 'bandwidth-client', 'rejected-unallocated-from-number', 'Unallocated from number', 'Unallocated from number'],
  [4406, 'bandwidth-client', 'rejected-unallocated-to-number', 'Unallocated to number', 'Unallocated to number'],
  [
    4407,
    'bandwidth-client',
    'rejected-account-not-defined-from-number',
    'From Number is associated with account',
    'From number not defined on account',
    { note: 'The friendly text is the page’s, verbatim; its explanation says the From number is not associated with the account.' },
  ],
  [4408, 'bandwidth-client', 'rejected-account-not-defined-to-number', 'To Number not associated with account', 'To number not defined on account'],
  [4409, 'bandwidth-client', 'rejected-invalid-from-profile', 'Invalid destination profile', 'Invalid destination profile'],
  [
    4410,
    'bandwidth-client',
    'media-unavailable',
    'Could not download media',
    'Media unavailable',
    { retryWhy: 'The same media URL fails again; the page says to check that the URL can be fetched, then send again.' },
  ],
  [4411, 'bandwidth-client', 'rejected-message-size-limit-exceeded', 'Combined size of media too large', 'Message size limit exceeded'],
  [4412, 'bandwidth-client', 'media-content-invalid', 'Failed to parse Content-Type for media', 'Media content invalid'],
  [4420, 'bandwidth-client', 'rejected-carrier-does-not-exist', 'No Route to Destination Carrier', 'Carrier does not exist'],
  [4421, 'bandwidth-client', 'rejected-forbidden-no-destination', 'No Route to Destination Carrier', 'Forbidden destination'],
  [4431, 'bandwidth-client', 'rejected-forbidden-shortcode', 'Messaging on shortcode forbidden', 'Forbidden short code'],
  [4432, 'bandwidth-client', 'rejected-forbidden-country', 'Messaging to country forbidden', 'forbidden to country'],
  [4433, 'bandwidth-client', 'rejected-forbidden-tollfree', 'Messaging on Toll Free Number Forbidden', 'Forbidden toll-free'],
  [4434, 'bandwidth-client', 'rejected-forbidden-tollfree-for-recipient', 'Messaging to Toll Free Number Forbidden', 'Toll-free recipient cannot receive'],
  [4435, 'bandwidth-client', 'forbidden-too-many-recipients', 'Too Many Recipients', 'Too many recipients'],
  [4451, 'bandwidth-client', 'rejected-wrong-user-id', 'Invalid User Id', 'Invalid user id'],
  [4452, 'bandwidth-client', 'rejected-wrong-application-id', 'Invalid Application ID', 'Invalid application id'],
  [4470, 'bandwidth-client', 'rejected-spam-detected', 'Rejected as SPAM', 'Spam detected', { billable: true }],
  [
    4476,
    'bandwidth-client',
    'rejected-unregistered-campaign',
    'Source TN not registered to a 10DLC campaign',
    'Sending number not registered to a 10DLC campaign',
    {
      retryWhy: 'It fails until the number is assigned to an active 10DLC campaign.',
      source: { kind: 'cli', url: CLI_AGENTS_URL },
      note: `Only in Bandwidth’s CLI guide (AGENTS.md; its message preflight and tnoption assign), on no errors page. ${INVENTED_NAME} Not billable is inferred from its group (4-4, Bandwidth rejected).`,
    },
  ],
  [4481, 'bandwidth-client', 'rejected-from-number-in-blacklist', 'From Number in black list', 'From number in blacklist'],
  [4482, 'bandwidth-client', 'rejected-to-number-in-blacklist', 'To Number in black list', 'To number in blacklist'],
  [4492, 'bandwidth-client', 'reject-emergency', 'Message to emergency number forbidden', 'Emergency number'],
  [4493, 'bandwidth-client', 'rejected-unauthorized', 'Unauthorized', 'Sender not authorized'],

  [4700, 'carrier-client', 'invalid-service-type', 'Carrier Rejected as Invalid Service Type', 'Invalid service type'],
  [
    4701,
    'carrier-client',
    'destination-service-unavailable',
    'Destination is not reachable and SMS service is not available.',
    'Destination service unavailable',
  ],
  [
    4702,
    'carrier-client',
    'destination-subscriber-unavailable',
    'Destination subscriber is unavailable.',
    'Destination subscriber unavailable',
    { retryWhy: 'The page’s rule for 4xxx is the same result; its causes (handset off, SIM or voicemail full) may pass, so a much later send can succeed.' },
  ],
  [4711, 'carrier-client', 'rejected-message-size-limit-exceeded', 'Media size too large', 'Message size limit exceeded downstream'],
  [4712, 'carrier-client', 'media-content-invalid', 'The media content type is not supported', 'Media content invalid downstream'],
  [4720, 'carrier-client', 'invalid-destination-address', 'Carrier Rejected as Invalid Destination Address', 'Invalid destination address'],
  [4721, 'carrier-client', 'destination-tn-deactivated', 'TN on deactivation list', 'Destination number deactivated'],
  [4730, 'carrier-client', 'no-route-to-destination-carrier', 'No route to destination carrier or no roaming route exists.', 'No route to destination carrier'],
  [4740, 'carrier-client', 'invalid-source-address-address', 'Carrier Rejected as Invalid Source Address', 'Invalid source address'],
  [4750, 'carrier-client', 'destination-rejected-message', 'Carrier Rejected Message', 'Destination rejected message'],
  [
    4751,
    'carrier-client',
    'destination-rejected-message-size-invalid',
    'Message is too long or message length is invalid for the carrier.',
    'Message size invalid for destination',
  ],
  [4752, 'carrier-client', 'destination-rejected-malformed', 'Message is malformed for the carrier.', 'Message malformed for destination'],
  [
    4753,
    'carrier-client',
    'destination-rejected-handset',
    'The destination handset has rejected the message (Verizon only)',
    'Handset rejected message',
    { note: 'A later support article (“What’s a handset block?”) says every carrier but AT&T returns it.' },
  ],
  [
    4770,
    'carrier-client',
    'destination-spam-detected',
    'Carrier Rejected as SPAM',
    'Carrier flagged message as spam',
    { note: 'Bandwidth’s CLI guide calls 4770 an “AT&T carrier block”; the name and text here are the errors page’s.' },
  ],
  [4771, 'carrier-client', 'rejected-shortened-url', 'Rejected due to shortened url', 'Shortened URL rejected'],
  [4772, 'carrier-client', 'rejected-tn-blocked', 'Blocked sender or receiver', 'Number blocked downstream'],
  [
    4773,
    'carrier-client',
    'inactive-campaign',
    'Campaign inactive for destination',
    'Inactive 10DLC campaign',
    { retryWhy: 'It fails until the campaign is active again (pending, rejected by the DCA or suspended by an MNO).' },
  ],
  [4774, 'carrier-client', 'provisioning-issue', 'Issue with TN provisioning in industry database', 'Number provisioning issue'],
  [
    4775,
    'carrier-client',
    'destination-rejected-due-to-user-opt-out',
    'Carrier Rejected due to user opt out',
    'Recipient opted out',
    { retryWhy: 'The recipient opted out: the page says to remove them from the list and cease communication.' },
  ],
  [
    4780,
    'carrier-client',
    'volume-violation-tmo',
    'T-Mobile rejected due to volumetric violation',
    'T-Mobile volume violation',
    {
      retry: 'later',
      retryWhy: 'Over the brand’s daily T-Mobile limit: the same message can go once the daily count resets.',
      note: 'The page’s group rule is “the same result”; that the limit is daily is the page’s, that it resets is our reading.',
    },
  ],
  [
    4781,
    'carrier-client',
    'volume-violation-att',
    'AT&T rejected due to 10DLC volumetric violation or throttling',
    'AT&T volume violation',
    {
      retry: 'later',
      retryWhy: 'Over the campaign’s AT&T rate, or throttled: sending slower, later, can succeed.',
      note: 'The page’s group rule is “the same result”; that a slower retry helps is our reading of “rate limit” and “throttling”.',
    },
  ],
  [
    4785,
    'carrier-client',
    'volumetric-violation',
    'Carrier rejected due to volumetric violation',
    'Volumetric violation',
    { retry: 'later', retryWhy: 'The page: “You have sent over the allotted limit and need to back off sending. Please retry after some time.”' },
  ],
  [4790, 'carrier-client', 'destination-rejected-sc-not-allowed', 'Carrier Rejected Due to Short Code Restriction', 'Short code not allowed'],
  [4791, 'carrier-client', 'destination-rejected-campaign-not-allowed', 'Carrier Rejected Short Code Campaign Not Allowed', 'Short code campaign not allowed'],
  [4792, 'carrier-client', 'destination-rejected-sc-not-provisioned', 'Carrier Rejected Short Code Not Provisioned', 'Short code not provisioned'],
  [4793, 'carrier-client', 'destination-rejected-sc-expired', 'Carrier Rejected Short Code Expired', 'Short code expired'],
  [
    4794,
    'carrier-client',
    'destination-rejected-expired',
    'Message expired with the mobile operator.',
    'Message expired with the mobile operator',
    {
      source: { kind: 'support-article', url: ARTICLE_4794_URL },
      note: 'Not on the errors page: a support article adds it, effective 2026-02-09, for what the carrier reports as expired (until then reported as 9902). Billable and the retry advice are inferred from its type, Carrier Reported Client Error.',
    },
  ],
  [
    4795,
    'carrier-client',
    'tfn-not-verified',
    'Toll Free number is not verified',
    'Toll-free number not verified',
    { retryWhy: 'It fails until the toll-free number is verified.' },
  ],

  [5100, 'bandwidth-service', 'temporary-app-error', 'Application Error', 'Temporary application error'],
  [
    5101,
    'bandwidth-service',
    'temporary-app-shutdown',
    'Application Error',
    'Temporary application shutdown',
    { retry: 'later', retryWhy: 'The page: “Sender should send this messages later or to other host.”' },
  ],
  [5106, 'bandwidth-service', 'impossible-to-route', 'Impossible to route / Attempt to deliver through retries has failed.', 'Impossible to route'],
  [5111, 'bandwidth-service', 'temporary-app-connection-closed', 'Application Error', 'Connection closed'],
  [5201, 'bandwidth-service', 'temporary-rout-error-retries-exceeded', 'Application Error', 'Routing retries exceeded'],
  [5211, 'bandwidth-service', 'temporary-app-error-app-busy', 'Application Error', 'Application busy'],
  [5220, 'bandwidth-service', 'temporary-store-error', 'Application Error', 'Temporary store error'],
  [
    5229,
    'bandwidth-service',
    'campaign-provisioning-error',
    'TN-to-campaign provisioning error',
    'Number-to-campaign provisioning error',
    {
      retry: 'no',
      retryWhy: 'It fails until the number’s campaign provisioning is fixed (the CLI: campaign suspended, number on another campaign, or a partner error).',
      source: { kind: 'cli', url: CLI_AGENTS_URL },
      note: `Only in Bandwidth’s CLI guide (AGENTS.md), on no errors page. ${INVENTED_NAME} Not billable is inferred from its group (5-2, Bandwidth server error); the CLI treats it as provisioning, not transient, so no retry.`,
    },
  ],
  [5231, 'bandwidth-service', 'discarded-concatenation-timeout', 'Application Error', 'Concatenation timeout'],
  [5500, 'bandwidth-service', 'message-send-failed', 'General Message Send Failure', 'Message send failed'],
  [5501, 'bandwidth-service', 'message-send-failed', 'General Message Send Failure', 'No destination available'],
  [5999, 'bandwidth-service', 'unknown-error', 'Unknown error from Bandwidth', 'Unknown error'],

  [5600, 'carrier-service', 'destination-carrier-queue-full', 'Carrier Service Unavailable', 'Destination carrier queue full'],
  [
    5610,
    'carrier-service',
    'submit_sm-or-submit_multi-failed',
    'Carrier Service Failure',
    'Carrier submit failed',
    { note: 'The page prints the name as “submit_ sm-or-submit_ multi-failed”; the spaces are left out here.' },
  ],
  [
    5620,
    'carrier-service',
    'destination-app-error',
    'Carrier Application Error',
    'Destination application error',
    { note: 'Bandwidth’s CLI guide reads 5620 as a T-Mobile block of a number not registered for 10DLC; the name and text here are the errors page’s.' },
  ],
  [
    5630,
    'carrier-service',
    'message-not-acknowledged',
    'Carrier Application Error',
    'Message not acknowledged by carrier',
    { note: 'The page prints the name cut short, “message-not-acknowle”; it is written out here.' },
  ],
  [5650, 'carrier-service', 'destination-failed', 'Carrier Service Failure', 'Destination failed'],

  [
    9902,
    'ambiguous',
    'delivery-receipt-expired',
    'Timed out waiting for delivery receipt. The reason a delivery receipt was not received is not known.',
    'Delivery receipt expired',
    { retryWhy: 'The message may have been delivered (a receipt can come after the two-hour timeout): a retry can send it twice.' },
  ],
  [
    9999,
    'ambiguous',
    'unknown-error',
    'Unknown error from downstream. Carrier reported a failure code that is unknown to Bandwidth.',
    'Unknown error from carrier',
    { retryWhy: 'Not stated: Bandwidth does not know what the carrier’s code means, so a retry may fail the same way.' },
  ],
];

function entry([code, group, name, text, description, extra = {}]: Row): MessageErrorCode {
  const { billable, retry, retryWhy } = ERROR_CODE_GROUPS[group];
  return { code, name, text, description, group, billable, retry, retryWhy, source: { kind: 'errors-page', url: ERRORS_PAGE_URL }, ...extra };
}

/** Every message-failed code the emulator knows, by code: the errors page's table and the codes published since or elsewhere. */
export const MESSAGE_ERROR_CODES: Readonly<Record<number, MessageErrorCode>> = Object.freeze(
  Object.fromEntries(ROWS.map((row) => [row[0], Object.freeze(entry(row))])),
);

/** True when `code` is in the table (the errors page's codes, 4794, and the two seen only in Bandwidth's CLI). */
export function isKnownErrorCode(code: number): boolean {
  return Object.hasOwn(MESSAGE_ERROR_CODES, code);
}

/** The table's entry for a code, or undefined for a code it does not have. */
export function errorCodeInfo(code: number): MessageErrorCode | undefined {
  return isKnownErrorCode(code) ? MESSAGE_ERROR_CODES[code] : undefined;
}

/** The callback `description` for a failure code. */
export function describeErrorCode(code: number): string {
  return errorCodeInfo(code)?.description ?? 'Message failed';
}
