import type { ApplicationConfig } from '../config/resolve.js';
import type { ReceiptPolicy } from '../scenarios/receipts.js';
import type { CoreParts } from './parts.js';

/**
 * The receipts an account's messages are planned with: its traffic setting `receiptWindow` (how long before 9902) and
 * its feature Feature_MMS_DLR (`features.mmsDeliveryReceipts`, on unless the config sets it to false, as Bandwidth
 * enables it for "Most accounts ... by default": https://support.bandwidth.com/hc/en-us/articles/360051643414), and
 * message-sent when `app`, the application the status callbacks go to, lists it in callbackTypes (opt-in per
 * application at Bandwidth; an unknown application, served as none, gets none).
 */
export function receiptPolicy(parts: CoreParts, accountId: string, app?: ApplicationConfig): ReceiptPolicy {
  return {
    windowMs: parts.traffic.for(accountId).receiptWindowMs,
    mmsDeliveryReceipts: parts.accounts.get(accountId)?.features.mmsDeliveryReceipts !== false,
    messageSent: app?.callbackTypes.includes('message-sent') === true,
  };
}
