import { newMessageId } from '../ids.js';
import { channelFields, type MultiChannelRequest } from '../multichannel.js';
import type { Rejection } from '../scenarios/engine.js';
import type { StoredMessage } from '../store/messages.js';
import { checkAccount } from './account-checks.js';
import { commitOrWithdraw } from './commit.js';
import type { ExternalMediaFetches } from './media-checks.js';
import type { OutboundMessaging } from './outbound.js';
import type { CoreParts } from './parts.js';
import { recordOutbound } from './provisioned-fields.js';
import { receiptPolicy } from './receipt-policy.js';

/** Multichannel (beta) messages: one stored message that falls back along its channel list. */
export class MultiChannelMessaging {
  constructor(
    private readonly parts: CoreParts,
    private readonly fetches: ExternalMediaFetches,
    private readonly outbound: OutboundMessaging,
  ) {}

  /**
   * Accept a validated multichannel message: one stored message whose channel fields follow the channel in use.
   * Channels are tried in order: when the plan for a channel ends in message-failed and another channel follows, the
   * message falls back to it at the moment of that failure (a `fallback` timeline note, no callback for the failed
   * channel); the last channel's outcome stands. Callbacks carry `message.channel` of the channel used.
   */
  accept(accountId: string, request: MultiChannelRequest): StoredMessage {
    const now = this.parts.clock.now();
    const message: StoredMessage = {
      id: newMessageId(now),
      accountId,
      direction: 'out',
      ...channelFields(request.channelList[0]!, request.to),
      to: [request.to],
      tag: request.tag,
      priority: request.priority ?? 'default',
      expiration: request.expiration,
      time: now,
      channelList: request.channelList,
      recipients: [{ to: request.to, status: 'QUEUED', errorCode: 0, updatedAt: now }],
      timeline: [{ at: now, what: 'accepted' }],
    };
    recordOutbound(this.parts, message);
    this.parts.store.add(message);
    const external = request.channelList.map((item) =>
      item.channel === 'MMS' ? this.fetches.externalOf(accountId, channelFields(item, request.to).media) : [],
    );
    if (external.every((urls) => urls.length === 0)) this.playChannels(message, request, []);
    else void this.fetches.fetchThen(message, external, (failures) => this.playChannels(message, request, failures));
    commitOrWithdraw(this.parts, { messages: [message] });
    return message;
  }

  // Walk the channel list: plan each channel until one does not fail (or the last), then play that one.
  private playChannels(message: StoredMessage, request: MultiChannelRequest, mediaFailures: ReadonlyArray<Rejection | undefined>): void {
    const { clock, scenarios, store, timeline, config } = this.parts;
    let offsetMs = 0;
    let preface = '';
    for (const [index, item] of request.channelList.entries()) {
      const fields = channelFields(item, request.to);
      const checked = checkAccount(this.parts, message.accountId, {
        applicationId: item.applicationId,
        from: item.from,
        to: [request.to],
        media: fields.media,
        channel: item.channel,
        text: fields.text,
      });
      const rejection = checked.rejection ?? mediaFailures[index];
      const next = request.channelList[index + 1];
      // Each channel is planned once; a channel that fails and is skipped still counts its rule's hit (it was tried).
      const plan = scenarios.planOutbound(
        { ...message, ...fields },
        config.callbacks,
        rejection,
        checked.sender,
        receiptPolicy(this.parts, message.accountId, checked.route.app),
      );
      const last = plan.steps.get(request.to)?.at(-1);
      if (next && last?.type === 'message-failed') {
        const at = offsetMs + last.afterMs;
        const detail = { from: item.channel, to: next.channel, errorCode: last.errorCode, why: plan.explanations.get(request.to) };
        timeline.after(message.accountId, at, () => store.note(message, { at: clock.now(), what: 'fallback', recipient: request.to, detail }), message.id);
        preface += `${item.channel} failed with ${last.errorCode} (${detail.why}), fell back to ${next.channel}; `;
        offsetMs = at;
        continue;
      }
      Object.assign(message, fields);
      // The search row follows the channel in use, as its from, text and media do.
      if (index > 0) recordOutbound(this.parts, message);
      this.outbound.play(message, plan, checked.route, offsetMs, preface);
      return;
    }
  }
}
