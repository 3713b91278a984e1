import type { Rejection } from '../scenarios/engine.js';
import type { CoreParts } from './parts.js';
import type { SenderRegistration } from '../scenarios/matcher.js';
import { callbackRoute, type CallbackRoute } from './callback-routing.js';
import { contentRejection } from './content-filter.js';
import { missingMedia } from './media-checks.js';
import { onNetLoopRejection } from './on-net.js';
import { optOutRejection } from './opt-out.js';
import { mediaSizeRejection, registrationRejection, selfSendRejection, senderRegistration } from './provisioning-checks.js';

/** What an outbound message (or one channel of a multichannel message) is sent as. */
export interface SendingIdentity {
  applicationId: string;
  from: string;
  to?: readonly string[];
  media?: readonly string[];
  /** RBM sends from an agent id, not one of the account's numbers: its `from` is not checked. */
  channel?: string;
  /** What the content filter reads (README "Content filtering"). */
  text?: string;
}

/**
 * The account's own checks, as Bandwidth makes them after the 202 (it accepts the message, then fails it
 * asynchronously; no scenario overrides this): an application of the account (4452), a number of the account as
 * `from` (4403), then what follows the from number's provisioning (src/messaging/provisioning-checks.ts: 4476, 4773,
 * 4795), media on this emulator's media API that exists (4410) and fits the route (4411), the content filters when on
 * (src/messaging/content-filter.ts: 4771, 4785), a recipient that is the from number itself (4401, that recipient
 * only), with on-net delivery on, recipients past the on-net loop bound (src/messaging/on-net.ts: 4401), and, from a
 * toll-free number with the traffic part `optOut` on, recipients that texted it STOP (4775, those recipients only:
 * src/messaging/opt-out.ts). Used by
 * plain and multichannel messages alike. `sender` is the from number's registration, for the scenarios' provisioning
 * conditions; `route` where the status callbacks go (src/messaging/callback-routing.ts: the request's application or
 * the from number's).
 */
export function checkAccount(
  parts: CoreParts,
  accountId: string,
  sending: SendingIdentity,
): { route: CallbackRoute; rejection: Rejection | undefined; sender?: SenderRegistration } {
  const account = parts.accounts.get(accountId);
  const app = account && parts.accounts.application(account, sending.applicationId);
  if (!app)
    return {
      route: { app },
      rejection: { errorCode: 4452, why: `applicationId ${sending.applicationId} is not an application of account ${accountId}: message-failed 4452` },
    };
  // RBM sends from an agent id, not one of the account's numbers: nothing about numbers applies to it.
  if (sending.channel === 'RBM') return { route: { app }, rejection: missingMedia(parts, accountId, sending.media) };
  if (!parts.accounts.numberApplication(account, sending.from)) {
    return { route: { app }, rejection: { errorCode: 4403, why: `from ${sending.from} is not a number of account ${accountId}: message-failed 4403` } };
  }
  const entry = parts.accounts.number(account, sending.from);
  const sender = senderRegistration(entry);
  const rejection =
    (entry && registrationRejection(parts, account, entry, sending.to?.length ?? 1)) ??
    missingMedia(parts, accountId, sending.media) ??
    (entry && mediaSizeRejection(parts, accountId, entry, sending.media)) ??
    contentRejection(parts, accountId, sending) ??
    selfSendRejection(sending.from, sending.to) ??
    onNetLoopRejection(parts, accountId, sending.from, sending.to) ??
    (entry && optOutRejection(parts, account, entry, sending.to));
  // Every outcome of an owned from number, a failure included, goes where the route says.
  return { route: callbackRoute(account, app, sending.from), rejection, sender };
}
