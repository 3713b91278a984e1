import { customAlphabet } from 'nanoid';

const base36 = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);

/** A Bandwidth-style message id: 13-digit epoch milliseconds followed by 16 lowercase base-36 characters (29 in all). */
export function newMessageId(nowMs: number): string {
  return String(Math.floor(nowMs)).padStart(13, '0') + base36();
}

/** An opaque random token (OAuth access tokens, event ids). */
export function newToken(length = 32): string {
  return customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', length)();
}
