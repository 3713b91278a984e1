// The 2023 caps of toll-free numbers that are not verified (src/messaging/toll-free-caps.ts): per number, per UTC
// day, week (from Monday) and month of the emulator's clock; a message past a cap is not counted.
import { describe, expect, it } from 'vitest';
import { TollFreeVolume } from '../../src/messaging/toll-free-caps.js';

const MONDAY = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

describe('toll-free 2023 caps', () => {
  it('UNVERIFIED: 500 a day; the next day counts again; 1,000 a week; the next Monday again', () => {
    const volume = new TollFreeVolume();
    expect(volume.take('a', '+18005550100', 'UNVERIFIED', MONDAY, 500)).toBeUndefined();
    expect(volume.take('a', '+18005550100', 'UNVERIFIED', MONDAY + DAY - 1, 1)).toEqual({ period: 'day', cap: 500 });
    // Another number and another account have counts of their own.
    expect(volume.take('a', '+18005550101', 'UNVERIFIED', MONDAY, 1)).toBeUndefined();
    expect(volume.take('b', '+18005550100', 'UNVERIFIED', MONDAY, 1)).toBeUndefined();
    expect(volume.take('a', '+18005550100', 'UNVERIFIED', MONDAY + DAY, 500)).toBeUndefined();
    expect(volume.take('a', '+18005550100', 'UNVERIFIED', MONDAY + 2 * DAY, 1)).toEqual({ period: 'week', cap: 1000 });
    expect(volume.take('a', '+18005550100', 'UNVERIFIED', MONDAY + 7 * DAY, 500)).toBeUndefined();
  });

  it('PENDING: 2,000 a day, 6,000 a week, 10,000 a month; a group counts once per recipient', () => {
    const volume = new TollFreeVolume();
    expect(volume.take('a', '+18885550100', 'PENDING', MONDAY, 1999)).toBeUndefined();
    expect(volume.take('a', '+18885550100', 'PENDING', MONDAY, 2)).toEqual({ period: 'day', cap: 2000 });
    expect(volume.take('a', '+18885550100', 'PENDING', MONDAY, 1)).toBeUndefined();
    for (let day = 1; day < 3; day++) expect(volume.take('a', '+18885550100', 'PENDING', MONDAY + day * DAY, 2000)).toBeUndefined();
    expect(volume.take('a', '+18885550100', 'PENDING', MONDAY + 3 * DAY, 1)).toEqual({ period: 'week', cap: 6000 });
    expect(volume.take('a', '+18885550100', 'PENDING', MONDAY + 7 * DAY, 2000)).toBeUndefined();
    expect(volume.take('a', '+18885550100', 'PENDING', MONDAY + 8 * DAY, 2000)).toBeUndefined();
    // 10,000 this month (June), so the month's cap is reached within the third week.
    expect(volume.take('a', '+18885550100', 'PENDING', MONDAY + 14 * DAY, 1)).toEqual({ period: 'month', cap: 10_000 });
    expect(volume.take('a', '+18885550100', 'PENDING', Date.parse('2026-07-01T00:00:00Z'), 2000)).toBeUndefined();
  });

  it('clear forgets one account, or all', () => {
    const volume = new TollFreeVolume();
    volume.take('a', '+18005550100', 'UNVERIFIED', MONDAY, 500);
    volume.take('b', '+18005550100', 'UNVERIFIED', MONDAY, 500);
    volume.clear('a');
    expect(volume.take('a', '+18005550100', 'UNVERIFIED', MONDAY, 500)).toBeUndefined();
    expect(volume.take('b', '+18005550100', 'UNVERIFIED', MONDAY, 1)).toEqual({ period: 'day', cap: 500 });
    volume.clear();
    expect(volume.take('b', '+18005550100', 'UNVERIFIED', MONDAY, 500)).toBeUndefined();
  });
});
