import type { ApplicationConfig } from '../config/resolve.js';
import { newMessageId } from '../ids.js';
import type { PlannedReply } from '../model/plan.js';
import { countSegments } from '../segments.js';
import type { StoredMessage } from '../store/messages.js';
import { commitOrWithdraw } from './commit.js';
import { answerKeyword } from './opt-out.js';
import type { CoreParts } from './parts.js';
import { recordInbound } from './provisioned-fields.js';
import { NoOwnedRecipientError, StorageWriteError, type InboundAttachment, type InboundRequest } from './types.js';

/** Messages handsets send to the account's numbers: control API inbound, scenario replies and scheduled inbound. */
export class InboundMessaging {
  constructor(private readonly parts: CoreParts) {}

  /**
   * A handset sends a message: each owned recipient gets its own copy, id and `message-received` event (or, for an
   * RBM response, `suggestion-response` / `requested-location-response`). An RBM response to a sender id that is not
   * one of our numbers is routed to the account and application of the message it answers (`replyTo`, or the
   * suggestion's `pairedMessageId`). With `only`, just that one of the recipients receives it (on-net delivery: each
   * recipient when its own message-delivered fires), the others still shown in `to`.
   */
  receive(request: InboundRequest, replyTo?: StoredMessage, only?: string): StoredMessage[] {
    const { accounts, clock, store, timeline } = this.parts;
    const now = clock.now();
    const copies: StoredMessage[] = [];
    const attachments: Array<{ accountId: string; mediaId: string }> = [];
    const network: Array<() => void> = [];
    const rbmResponse = request.suggestionResponse !== undefined || request.locationResponse !== undefined;
    const channel = rbmResponse ? 'RBM' : request.channel;
    const pairedId = request.suggestionResponse?.pairedMessageId;
    const answered = replyTo ?? (pairedId ? store.find(pairedId) : undefined);
    for (const number of only === undefined ? new Set(request.to) : [only]) {
      let account = accounts.ownerOf(number, request.accountId);
      let app: ApplicationConfig | undefined;
      if (account) app = accounts.numberApplication(account, number);
      else if (
        channel === 'RBM' &&
        answered?.direction === 'out' &&
        answered.from === number &&
        (request.accountId === undefined || request.accountId === answered.accountId)
      ) {
        account = accounts.get(answered.accountId);
        app = account && accounts.application(account, answered.applicationId);
      }
      if (!account) continue;
      const id = newMessageId(now);
      const message: StoredMessage = {
        id,
        accountId: account.id,
        direction: 'in',
        applicationId: app?.id ?? '',
        owner: number,
        from: request.from,
        to: request.to,
        text: request.text ?? '',
        media: request.media && this.storeAttachments(account.id, id, request.media, attachments),
        priority: 'default',
        time: now,
        segmentCount: countSegments({ ...request, media: request.media?.map(String) }),
        recipients: [{ to: number, status: 'RECEIVED', errorCode: 0, updatedAt: now }],
        timeline: [{ at: now, what: 'received' }],
      };
      if (channel) message.channel = channel;
      if (request.suggestionResponse)
        message.suggestionResponse = { ...request.suggestionResponse, pairedMessageId: request.suggestionResponse.pairedMessageId ?? null };
      if (request.locationResponse) message.locationResponse = request.locationResponse;
      recordInbound(this.parts, message, account);
      store.add(message);
      timeline.playInbound(message, app);
      copies.push(message);
      // A keyword to a toll-free number: the network acts on it too (the message still reaches the application).
      const answer = answerKeyword(this.parts, message, accounts.number(account, number));
      if (answer) network.push(answer.undo);
    }
    if (copies.length === 0) throw new NoOwnedRecipientError(request.to);
    commitOrWithdraw(this.parts, { messages: copies, media: attachments, undo: network });
    return copies;
  }

  /** A scripted reply or scheduled inbound that names none of our numbers is explained (timeline, log), not thrown into a timer. */
  tryReceive(request: InboundRequest, cause?: StoredMessage): void {
    try {
      // A reply to a multichannel message comes back on the channel it was delivered on.
      this.receive(cause?.channel && !request.channel ? { ...request, channel: cause.channel } : request, cause);
    } catch (error) {
      if (error instanceof StorageWriteError) {
        // Taken back already (nothing sent); the data dir still holds the reply as pending, so a restart sends it.
        this.parts.log.error({ messageId: cause?.id, err: error }, 'a scheduled inbound message could not be written to the data dir; it was not received');
        return;
      }
      if (!(error instanceof NoOwnedRecipientError)) throw error;
      if (cause) this.parts.store.note(cause, { at: this.parts.clock.now(), what: 'reply-not-routed', detail: { reason: error.message } });
      this.parts.log.warn({ messageId: cause?.id, to: request.to }, error.message);
    }
  }

  /** Schedule a scenario's reply to `message` in `afterMs` emulated ms (also used to resume one after a restart). */
  scheduleReply(message: StoredMessage, key: string, reply: PlannedReply, afterMs: number): void {
    const { hooks, timeline } = this.parts;
    hooks.emit('replyPlanned', { key, accountId: message.accountId, messageId: message.id, reply, afterMs });
    // The message it answers stays stored until then: the reply is routed by it, and restored with it.
    timeline.after(
      message.accountId,
      afterMs,
      () => {
        hooks.emit('replyFired', key);
        this.tryReceive({ ...reply, accountId: message.accountId }, message);
      },
      message.id,
    );
  }

  // Each owned recipient's copy gets its own stored attachments under {messageId}/{index}/{filename}, as Bandwidth does.
  private storeAttachments(
    accountId: string,
    messageId: string,
    media: ReadonlyArray<string | InboundAttachment>,
    stored: Array<{ accountId: string; mediaId: string }>,
  ): string[] {
    return media.map((item, index) => {
      if (typeof item === 'string') return item;
      const filename = item.filename.replace(/[/\\]/g, '_') || 'attachment';
      const mediaId = `${messageId}/${index}/${filename}`;
      this.parts.media.put({ accountId, mediaId, bytes: Buffer.from(item.contentBase64, 'base64'), contentType: item.contentType });
      stored.push({ accountId, mediaId });
      return `${this.parts.baseUrl()}/api/v2/users/${encodeURIComponent(accountId)}/media/${messageId}/${index}/${encodeURIComponent(filename)}`;
    });
  }
}
