import type { NumberConfig } from '../config/numbers.js';
import type { AccountConfig } from '../config/resolve.js';
import type { Rejection } from '../scenarios/engine.js';
import type { SenderRegistration } from '../scenarios/matcher.js';
import { knownMediaSizes } from './media-checks.js';
import type { CoreParts } from './parts.js';

// Toll-free MMS: "The maximum size you can send outbound, including all attachments per MMS message, is 525KB" and
// over it "you'll get a 4411 rejected-message-size-limit-exceeded callback error"
// (https://support.bandwidth.com/hc/en-us/articles/360034303574-Toll-free-MMS-FAQ). KB read as 1024 bytes, as the
// media store's 3.5 MB is.
const TOLL_FREE_MMS_TOTAL_BYTES = 525 * 1024;
// Local MMS over the API: "3.5 MB per file" (https://www.bandwidth.com/support/en/articles/12823216). The older
// 3.75 MB total (support article 360014235473, api-docs about.mdx) is contradicted by this newer article; 3.5 MB per
// file is followed. That 4411 is its code is errors.mdx's wording ("exceeded the max file size supported").
const LOCAL_MMS_FILE_BYTES = 3.5 * 1024 * 1024;

/** The most bytes of fetched external media a route takes in total, when smaller than the media store's limit: toll-free's. */
export function externalMediaLimit(sender: SenderRegistration | undefined): number | undefined {
  return sender?.numberType === 'tollFree' ? TOLL_FREE_MMS_TOTAL_BYTES : undefined;
}

/** What a scenario may match on about the from number (src/scenarios/matcher.ts). */
export function senderRegistration(entry: NumberConfig | undefined): SenderRegistration | undefined {
  if (!entry) return undefined;
  return {
    numberType: entry.type,
    campaignClass: entry.campaign?.class,
    verificationStatus: entry.tollFreeVerification?.status,
  };
}

/**
 * The outcomes that follow how the from number is provisioned, as Bandwidth fails them after the 202: a local
 * number on no 10DLC campaign (4476) or on one that is not active (4773), a toll-free number not verified (4795).
 * Each code's source is beside it; the README's "Provisioning" section has the table.
 */
export function registrationRejection(parts: CoreParts, account: AccountConfig, entry: NumberConfig, recipients: number): Rejection | undefined {
  if (entry.type === 'local') {
    const campaign = entry.campaign;
    // 4476 "Source TN not registered to a 10DLC campaign": on no Bandwidth errors page; Bandwidth's CLI only
    // (Bandwidth/cli AGENTS.md, cmd/message/preflight.go: "not assigned to any active 10DLC campaign — delivery will fail (error 4476)").
    if (!campaign) return { errorCode: 4476, why: `from ${entry.number} is a local number on no 10DLC campaign: message-failed 4476` };
    // 4773 inactive-campaign: "if the campaign is pending or rejected by the DCA or suspended by an MNO but the TN is
    // still assigned to the campaign" (Bandwidth/api-docs site/docs/messaging/errors.mdx). An EXPIRED campaign is inactive too.
    if (campaign.status !== 'ACTIVE' || campaign.mnoStatus !== 'APPROVED')
      return {
        errorCode: 4773,
        why: `from ${entry.number} is on campaign ${campaign.id}, which is ${campaign.status} with mnoStatus ${campaign.mnoStatus} (not ACTIVE and APPROVED): message-failed 4773`,
      };
  }
  if (entry.type === 'tollFree') {
    const status = entry.tollFreeVerification?.status ?? 'VERIFIED';
    if (status === 'VERIFIED') return undefined;
    const denied = entry.tollFreeVerification?.denial ? ' (denied)' : '';
    // 4795 tfn-not-verified (errors.mdx). Since 2024-01-31 "any number that is not verified will have its traffic
    // blocked, whether the number is restricted or pending" (support article 18852381946647): the 'block' policy.
    if (account.tollFreeUnverified === 'block')
      return { errorCode: 4795, why: `from ${entry.number} is a toll-free number ${status}${denied}, and unverified traffic is blocked: message-failed 4795` };
    const over = parts.tollFreeVolume.take(account.id, entry.number, status, parts.clock.now(), recipients);
    if (over)
      return {
        errorCode: 4795,
        why: `from ${entry.number} is a toll-free number ${status}${denied} past its 2023 cap of ${over.cap} messages a ${over.period}: message-failed 4795`,
      };
  }
  return undefined;
}

/** An MMS over its route's size limit, where the sizes are known (media on this emulator's media API): 4411. */
export function mediaSizeRejection(parts: CoreParts, accountId: string, entry: NumberConfig, media: readonly string[] | undefined): Rejection | undefined {
  if (entry.type === 'shortCode' || !media?.length) return undefined;
  const sizes = knownMediaSizes(parts, accountId, media);
  if (entry.type === 'tollFree') {
    const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
    if (total > TOLL_FREE_MMS_TOTAL_BYTES)
      return {
        errorCode: 4411,
        afterSending: true,
        why: `the media total ${total} bytes, over the ${TOLL_FREE_MMS_TOTAL_BYTES}-byte (525 KB) limit of toll-free MMS: message-failed 4411`,
      };
    return undefined;
  }
  const large = sizes.find((s) => s.bytes > LOCAL_MMS_FILE_BYTES);
  if (large)
    return {
      errorCode: 4411,
      afterSending: true,
      why: `media ${large.url} is ${large.bytes} bytes, over the ${LOCAL_MMS_FILE_BYTES}-byte (3.5 MB) per-file limit of local MMS: message-failed 4411`,
    };
  return undefined;
}

/**
 * A message from a number to itself: 4401 rejected-routing-error, "Message is unable to be routed within Bandwidth
 * particularly when the source and destination are the same number" (errors.mdx). Only that recipient fails.
 */
export function selfSendRejection(from: string, to: readonly string[] | undefined): Rejection | undefined {
  if (!to?.includes(from)) return undefined;
  return {
    errorCode: 4401,
    recipients: new Set([from]),
    why: `from ${from} is also the recipient: Bandwidth cannot route a message to its own number: message-failed 4401`,
  };
}
