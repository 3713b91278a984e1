// Shown inline by a browser without running anything: raster images, audio and video. SVG (it can carry scripts),
// HTML and everything else is a download. Shared by the control route's headers and the web inbox's preview.
const INLINE_TYPES = /^(image\/(png|jpeg|gif|webp|avif|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/;

/** How a media type is shown: an image, an audio or video player, or a download. */
export type MediaKind = 'image' | 'audio' | 'video' | 'download';

/** How the page shows (and the control route serves) a content type: inline only for raster images, audio, video. */
export function mediaKind(contentType: string): MediaKind {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (!INLINE_TYPES.test(type)) return 'download';
  return type.startsWith('image/') ? 'image' : type.startsWith('audio/') ? 'audio' : 'video';
}
