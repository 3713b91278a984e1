import { carrierOf, countryA3Of } from '../config/number-ranges.js';
import type { NumberConfig } from '../config/numbers.js';
import type { AccountConfig } from '../config/resolve.js';
import type { StoredMessage } from '../store/messages.js';
import type { CoreParts } from './parts.js';

// What Bandwidth fills in from provisioning, recorded on a message when it is accepted (outbound) or received
// (inbound), so a later change of the number's registration leaves the message's search row as it was. Sources: the
// spec's listMessageItem (product, location, campaignClass, campaignId, callingNumberCountryA3, calledNumberCountryA3,
// carrierName: all nullable strings) and its productTypeEnum, the `product` filter's values. Which product a number
// type is is inferred: no Bandwidth text maps number types to products (README "What Bandwidth fills in").

/**
 * The spec's productTypeEnum value for a number (inferred): a local number on a 10DLC campaign LOCAL_A2P, on none
 * P2P; toll-free TOLL_FREE; a short code SHORT_CODE_REACH; an alphanumeric sender id ALPHA_NUMERIC. RBM (an agent,
 * not a number) and a number the account does not own have none.
 */
function productOf(entry: NumberConfig | undefined, channel?: string): string | null {
  if (!entry || channel === 'RBM') return null;
  if (!entry.number.startsWith('+')) return 'ALPHA_NUMERIC';
  if (entry.type === 'tollFree') return 'TOLL_FREE';
  if (entry.type === 'shortCode') return 'SHORT_CODE_REACH';
  return entry.campaign ? 'LOCAL_A2P' : 'P2P';
}

/** An owned number's country: the one its registration names, else by its prefix (+1: USA). */
const countryOfNumber = (number: string, entry: NumberConfig | undefined) => entry?.country ?? countryA3Of(number);

function provisioningOf(account: AccountConfig | undefined, entry: NumberConfig | undefined, number: string, channel: string | undefined) {
  return {
    product: productOf(entry, channel),
    location: entry?.location ?? null,
    campaignClass: entry?.campaign?.class ?? null,
    campaignId: entry?.campaign?.id ?? null,
    callingNumberCountryA3: countryOfNumber(number, entry),
    carrierNameOnCallbacks: account?.features.carrierNameOnCallbacks ?? false,
  };
}

/**
 * Record on an outbound message (or the channel of a multichannel message in use) what follows from its from
 * number's registration, and each recipient's carrier and country by its number. Called before the message is
 * announced or played, by the use case that created it.
 */
export function recordOutbound(parts: CoreParts, message: StoredMessage): void {
  const account = parts.accounts.get(message.accountId);
  const entry = message.channel === 'RBM' || !account ? undefined : parts.accounts.number(account, message.from);
  message.provisioning = provisioningOf(account, entry, message.from, message.channel);
  for (const recipient of message.recipients) {
    recipient.carrierName = carrierOf(parts.config.carriers, recipient.to);
    recipient.calledNumberCountryA3 = countryA3Of(recipient.to);
  }
}

/**
 * Record on an inbound message what follows from the receiving number's registration (its product, location,
 * campaign and country) and the sending handset's carrier and country.
 */
export function recordInbound(parts: CoreParts, message: StoredMessage, account: AccountConfig): void {
  const entry = message.channel === 'RBM' ? undefined : parts.accounts.number(account, message.owner);
  message.provisioning = { ...provisioningOf(account, entry, message.owner, message.channel), callingNumberCountryA3: countryA3Of(message.from) };
  for (const recipient of message.recipients) {
    recipient.carrierName = carrierOf(parts.config.carriers, message.from);
    recipient.calledNumberCountryA3 = countryOfNumber(message.owner, entry);
  }
}
