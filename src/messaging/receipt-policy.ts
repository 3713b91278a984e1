import type { ReceiptPolicy } from '../scenarios/receipts.js';
import type { CoreParts } from './parts.js';

/**
 * The receipts an account's messages are planned with: its traffic setting `receiptWindow` (how long before 9902) and
 * its feature Feature_MMS_DLR (`features.mmsDeliveryReceipts`, on unless the config sets it to false, as Bandwidth
 * enables it for "Most accounts ... by default": https://support.bandwidth.com/hc/en-us/articles/360051643414).
 */
export function receiptPolicy(parts: CoreParts, accountId: string): ReceiptPolicy {
  return {
    windowMs: parts.traffic.for(accountId).receiptWindowMs,
    mmsDeliveryReceipts: parts.accounts.get(accountId)?.features.mmsDeliveryReceipts !== false,
  };
}
