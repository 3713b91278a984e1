import { Type, type Static } from 'typebox';

// How Bandwidth provisions a number, as far as messaging outcomes depend on it. Sources (read 2026-12, see the
// README's "Provisioning" section for the rule table):
// - number types by prefix: Bandwidth's CLI, internal/cmdutil/numbertype.go (toll-free area codes, 5–6 digit short codes);
// - 10DLC campaign status (ACTIVE/EXPIRED as TCR sees it) and per-carrier mnoStatus (REVIEW/APPROVED/REJECTED/SUSPENDED):
//   Bandwidth/api-docs site/docs/messaging/campaign-management/csp/faq.mdx;
// - campaign class, a single letter such as 'T': the spec's listMessageItem.campaignClass, and
//   https://www.bandwidth.com/support/en/articles/12823099-at-t-10dlc for the classes;
// - toll-free verification status VERIFIED/PENDING/UNVERIFIED: the spec's tfvStatusEnum. There is no DENIED: a denied
//   request reports UNVERIFIED with denialStatusCode and declineReasonDescription (the spec's verificationDenialWebhook).

/** A number's messaging type: a 10DLC local number, a toll-free number, or a short code. */
export type NumberType = 'local' | 'tollFree' | 'shortCode';
/** A campaign's status as The Campaign Registry reports it. */
type CampaignStatus = 'ACTIVE' | 'EXPIRED';
/** A campaign's status at the mobile operators (one value for all of them here). */
type CampaignMnoStatus = 'APPROVED' | 'REVIEW' | 'REJECTED' | 'SUSPENDED';
/** Toll-free verification status: the spec's tfvStatusEnum. */
export type VerificationStatus = 'VERIFIED' | 'PENDING' | 'UNVERIFIED';

/** The 10DLC campaign a local number is on. */
export interface CampaignConfig {
  id: string;
  class: string;
  status: CampaignStatus;
  mnoStatus: CampaignMnoStatus;
}

/** Why a toll-free verification request was denied (the number then reports UNVERIFIED). */
interface DenialConfig {
  denialStatusCode: number;
  declineReasonDescription: string;
  resubmitAllowed: boolean;
}

/** A toll-free number's verification. */
interface VerificationConfig {
  status: VerificationStatus;
  denial?: DenialConfig;
}

/** A number the account owns, with its type, location (SIP peer), application and registration. */
export interface NumberConfig {
  number: string;
  applicationId: string;
  type: NumberType;
  location: string;
  /** Local numbers: the campaign, or null when the number is on none. */
  campaign?: CampaignConfig | null;
  /** Toll-free numbers: the verification. */
  tollFreeVerification?: VerificationConfig;
  /** The number's country (ISO 3166-1 alpha-3) when the config says; otherwise it follows the prefix (src/config/number-ranges.ts). */
  country?: string;
}

/** The campaign a local number is on when the config does not say: active and approved, so nothing fails. */
export const DEFAULT_CAMPAIGN: CampaignConfig = { id: 'CEMULAT', class: 'T', status: 'ACTIVE', mnoStatus: 'APPROVED' };
/** The location (SIP peer) a number is on when the config does not say. */
const DEFAULT_LOCATION = 'default-location';

// Bandwidth's CLI (internal/cmdutil/numbertype.go): tollFreePrefixes = {"800","888","877","866","855","844","833"}.
const TOLL_FREE_AREA_CODES = new Set(['800', '888', '877', '866', '855', '844', '833']);

/** A number's type by its digits, as Bandwidth's CLI reads them: +1 and a toll-free area code, 5–6 digits, else local. */
export function numberTypeOf(number: string): NumberType {
  const digits = number.startsWith('+') ? number.slice(1) : number;
  if (/^\d{5,6}$/.test(digits)) return 'shortCode';
  if (/^1\d{10}$/.test(digits) && TOLL_FREE_AREA_CODES.has(digits.slice(1, 4))) return 'tollFree';
  return 'local';
}

const CampaignSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9]{1,32}$', description: "a campaign id of 1 to 32 letters and digits, such as 'CJEUMDK'", title: 'Campaign id' }),
    class: Type.String({ pattern: '^[A-Z]$', description: "one capital letter, such as 'T' (AT&T's campaign class)", title: 'Campaign class' }),
    status: Type.Optional(
      Type.Union([Type.Literal('ACTIVE'), Type.Literal('EXPIRED')], {
        description: "'ACTIVE' or 'EXPIRED' (The Campaign Registry's status)",
        title: "Campaign status (default 'ACTIVE')",
      }),
    ),
    mnoStatus: Type.Optional(
      Type.Union([Type.Literal('APPROVED'), Type.Literal('REVIEW'), Type.Literal('REJECTED'), Type.Literal('SUSPENDED')], {
        description: "'APPROVED', 'REVIEW' (pending), 'REJECTED' or 'SUSPENDED' (the mobile operators' status)",
        title: "Campaign status at the mobile operators (default 'APPROVED')",
      }),
    ),
  },
  { additionalProperties: false },
);

const DenialSchema = Type.Object(
  {
    denialStatusCode: Type.Integer({ minimum: 0, maximum: 99_999, description: 'a code from 0 to 99999, such as 511', title: 'Denial status code' }),
    declineReasonDescription: Type.Optional(Type.String({ maxLength: 1024, description: 'at most 1024 characters', title: 'Why it was denied' })),
    resubmitAllowed: Type.Optional(Type.Boolean({ title: 'Whether the request may be resubmitted (default true)' })),
  },
  { additionalProperties: false },
);

const VerificationSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('VERIFIED'), Type.Literal('PENDING'), Type.Literal('UNVERIFIED')], {
      description: "'VERIFIED', 'PENDING' or 'UNVERIFIED' (the spec's tfvStatusEnum; a denied number is UNVERIFIED with a denial)",
      title: 'Toll-free verification status',
    }),
    denial: Type.Optional(
      Type.Object(DenialSchema.properties, { additionalProperties: false, title: 'A denied request: its code and reason (status is then UNVERIFIED)' }),
    ),
  },
  { additionalProperties: false },
);

/** The registration of a number, without the number: what the config's object form and the control API's PUT take. */
export const RegistrationProperties = {
  applicationId: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'the id of an application in this account',
      title: "The application that gets this number's inbound messages (default: the account's first)",
    }),
  ),
  type: Type.Optional(
    Type.Union([Type.Literal('local'), Type.Literal('tollFree'), Type.Literal('shortCode')], {
      description: "'local' (10DLC), 'tollFree' or 'shortCode'",
      title: 'Number type (default: by prefix, as Bandwidth’s CLI: 800/888/877/866/855/844/833 toll-free, 5–6 digits short code)',
    }),
  ),
  location: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_.-]{1,64}$',
      description: 'a location (SIP peer) id of 1 to 64 letters, digits, _ . or -',
      title: `Location (SIP peer) the number is on (default '${DEFAULT_LOCATION}')`,
    }),
  ),
  campaign: Type.Optional(
    Type.Union([CampaignSchema, Type.Null()], {
      description: 'the 10DLC campaign {id, class, status, mnoStatus}, or null for none (local numbers only)',
      title: '10DLC campaign of a local number; null: on no campaign (default: an active campaign)',
    }),
  ),
  tollFreeVerification: Type.Optional(
    Type.Object(VerificationSchema.properties, {
      additionalProperties: false,
      description: '{status, denial} (toll-free numbers only)',
      title: 'Toll-free verification (default: VERIFIED)',
    }),
  ),
  country: Type.Optional(
    Type.String({
      pattern: '^[A-Z]{3}$',
      description: "an ISO 3166-1 alpha-3 code of three capital letters, such as 'CAN'",
      title: "The number's country in search rows (callingNumberCountryA3/calledNumberCountryA3); default: by its prefix, +1 'USA'",
    }),
  ),
};

/** A number's registration as the control API's PUT takes it. */
export const RegistrationSchema = Type.Object(RegistrationProperties, { additionalProperties: false });
/** A number's registration as written. */
export type RegistrationSpec = Static<typeof RegistrationSchema>;

/** One problem with a registration: the field (relative to the number's entry), what is wrong and the fix. */
export interface RegistrationProblem {
  field: string;
  problem: string;
  fix: string;
}

/**
 * Resolve a number's registration from what was written: the type by prefix, a local number on the default campaign,
 * a toll-free number verified, and the checks a schema cannot state (a campaign only on a local number, a denial only
 * when UNVERIFIED, an application of the account).
 */
export function resolveRegistration(
  number: string,
  spec: RegistrationSpec,
  applicationIds: readonly string[],
  accountId: string,
): { entry?: NumberConfig; problems: RegistrationProblem[] } {
  const problems: RegistrationProblem[] = [];
  const type = spec.type ?? numberTypeOf(number);
  const applicationId = spec.applicationId ?? applicationIds[0]!;
  if (!applicationIds.includes(applicationId))
    problems.push({
      field: 'applicationId',
      problem: `'${applicationId.slice(0, 64)}' names no application of account ${accountId}`,
      fix: `use one of: ${applicationIds.join(', ')}`,
    });
  if (spec.campaign !== undefined && type !== 'local')
    problems.push({ field: 'campaign', problem: `a ${type} number is on no 10DLC campaign`, fix: "remove campaign, or set type: 'local'" });
  if (spec.tollFreeVerification !== undefined && type !== 'tollFree')
    problems.push({
      field: 'tollFreeVerification',
      problem: `a ${type} number has no toll-free verification`,
      fix: "remove tollFreeVerification, or set type: 'tollFree'",
    });
  const verification = spec.tollFreeVerification;
  if (verification?.denial && verification.status !== 'UNVERIFIED')
    problems.push({
      field: 'tollFreeVerification.denial',
      problem: `a denied request reports UNVERIFIED, not ${verification.status}`,
      fix: "set status: 'UNVERIFIED' (Bandwidth has no DENIED status), or remove denial",
    });
  if (problems.length > 0) return { problems };
  const entry: NumberConfig = { number, applicationId, type, location: spec.location ?? DEFAULT_LOCATION };
  if (spec.country !== undefined) entry.country = spec.country;
  if (type === 'local') {
    const campaign = spec.campaign === undefined ? DEFAULT_CAMPAIGN : spec.campaign;
    entry.campaign = campaign && { id: campaign.id, class: campaign.class, status: campaign.status ?? 'ACTIVE', mnoStatus: campaign.mnoStatus ?? 'APPROVED' };
  }
  if (type === 'tollFree') {
    const denial = verification?.denial;
    entry.tollFreeVerification = {
      status: verification?.status ?? 'VERIFIED',
      ...(denial
        ? {
            denial: {
              denialStatusCode: denial.denialStatusCode,
              declineReasonDescription: denial.declineReasonDescription ?? '',
              resubmitAllowed: denial.resubmitAllowed ?? true,
            },
          }
        : {}),
    };
  }
  return { entry, problems };
}
