import { countSegments } from './segments.js';
import type { ChannelListItem, StoredMessage } from './store/messages.js';

/** A multichannel request that passed validation (the spec's `multiChannelMessageRequest`). */
export interface MultiChannelRequest {
  to: string;
  channelList: ChannelListItem[];
  tag?: string;
  priority?: 'default' | 'high';
  expiration?: string;
}

/** The text a channel's content carries: SMS/MMS/RBM text; a card's title and description; '' for media only. */
function channelText(item: ChannelListItem): string {
  const content = item.content as { text?: unknown; cardContent?: { title?: unknown; description?: unknown } };
  if (typeof content.text === 'string') return content.text;
  const card = content.cardContent;
  if (card) return [card.title, card.description].filter((v): v is string => typeof v === 'string').join('\n');
  return '';
}

/** The media URLs a channel's content carries (MMS and RBM media files, a card's media), if any. */
function channelMedia(item: ChannelListItem): string[] | undefined {
  const content = item.content as {
    media?: Array<{ fileUrl?: unknown }>;
    cardContent?: { media?: { fileUrl?: unknown } };
    cardContents?: Array<{ media?: { fileUrl?: unknown } }>;
  };
  const files = [...(Array.isArray(content.media) ? content.media : []), content.cardContent?.media, ...(content.cardContents ?? []).map((c) => c.media)];
  const urls = files.map((f) => f?.fileUrl).filter((u): u is string => typeof u === 'string');
  return urls.length > 0 ? urls : undefined;
}

/** The fields of a stored multichannel message that follow the channel in use. */
export function channelFields(
  item: ChannelListItem,
  to: string,
): Pick<StoredMessage, 'channel' | 'from' | 'owner' | 'applicationId' | 'text' | 'media' | 'segmentCount'> {
  const text = channelText(item);
  const media = channelMedia(item);
  return {
    channel: item.channel,
    from: item.from,
    owner: item.from,
    applicationId: item.applicationId,
    text,
    media,
    // SMS is counted as any SMS; an MMS or an RBM message is one unit.
    segmentCount: item.channel === 'SMS' ? countSegments({ text, to: [to] }) : 1,
  };
}
