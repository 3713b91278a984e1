import type { ApplicationConfig } from '../config/resolve.js';
import type { Rejection } from '../scenarios/engine.js';
import type { CoreParts } from './parts.js';
import { missingMedia } from './media-checks.js';

/** What an outbound message (or one channel of a multichannel message) is sent as. */
export interface SendingIdentity {
  applicationId: string;
  from: string;
  media?: readonly string[];
  /** RBM sends from an agent id, not one of the account's numbers: its `from` is not checked. */
  channel?: string;
}

/**
 * The account's own checks, as Bandwidth makes them after the 202 (it accepts the message, then fails it
 * asynchronously; no scenario overrides this): an application of the account (4452), a number of the account as
 * `from` (4403), media on this emulator's media API that exists (4410). Used by plain and multichannel messages alike.
 */
export function checkAccount(
  parts: CoreParts,
  accountId: string,
  sending: SendingIdentity,
): { app: ApplicationConfig | undefined; rejection: Rejection | undefined } {
  const account = parts.accounts.get(accountId);
  const app = account && parts.accounts.application(account, sending.applicationId);
  if (!app)
    return {
      app,
      rejection: { errorCode: 4452, why: `applicationId ${sending.applicationId} is not an application of account ${accountId}: message-failed 4452` },
    };
  if (sending.channel !== 'RBM' && !parts.accounts.numberApplication(account, sending.from)) {
    return { app, rejection: { errorCode: 4403, why: `from ${sending.from} is not a number of account ${accountId}: message-failed 4403` } };
  }
  return { app, rejection: missingMedia(parts, accountId, sending.media) };
}
