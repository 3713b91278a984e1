import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { applyTraffic, DEFAULT_RATES, FAST_TRAFFIC, PROFILE_PARTS, trafficProblems } from '../../src/config/traffic.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { TrafficControl } from '../../src/messaging/traffic-settings.js';

describe('traffic settings', () => {
  it('the default is the fast profile: every part off', () => {
    const config = resolveConfig();
    expect(config.traffic.profile).toBe('fast');
    for (const value of Object.values(PROFILE_PARTS.fast)) expect(value).toBe(false);
    expect(config.traffic).toMatchObject(PROFILE_PARTS.fast);
    expect(config.traffic.rates).toEqual(DEFAULT_RATES);
    expect(config.traffic.queueDepthMs).toBe(15 * 60_000);
  });

  it('a profile switches its parts, a part named beside it wins, rates merge field by field', () => {
    const settings = applyTraffic(FAST_TRAFFIC, { profile: 'production', onNet: false, rates: { account: 10, campaignClasses: { T: 3 } }, queueDepth: '1h' });
    expect(settings).toMatchObject({ profile: 'production', throughput: true, optOut: true, onNet: false, searchRateLimit: true, contentFilter: false });
    expect(settings.rates.account).toBe(10);
    expect(settings.rates.local).toBe(DEFAULT_RATES.local);
    expect(settings.rates.campaignClasses).toMatchObject({ T: 3, A: 75 });
    expect(settings.queueDepthMs).toBe(3_600_000);
  });

  it('a part alone keeps the profile and the other parts', () => {
    const settings = applyTraffic(FAST_TRAFFIC, { optOut: true });
    expect(settings).toMatchObject({ profile: 'fast', optOut: true, throughput: false });
  });

  it('refuses a queue deeper than 4h, naming the file, the field and the fix', () => {
    expect(trafficProblems({ queueDepth: '5h' })[0]).toMatchObject({ field: 'queueDepth', fix: expect.stringContaining("'4h'") });
    expect(trafficProblems({ queueDepth: '4h' })).toEqual([]);
    expect(() => resolveConfig({ overrides: { traffic: { queueDepth: '5h' } } })).toThrow(/traffic\.queueDepth.*4h/s);
    const accounts = [{ id: 'a1', users: [{ username: 'u', password: 'p' }], applications: [{ id: 'app' }], traffic: { queueDepth: 14_400_001 } }];
    try {
      resolveConfig({ overrides: { accounts } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EmulatorConfigError);
      expect(String(error)).toMatch(/accounts\[0\]\.traffic\.queueDepth/);
    }
  });

  it('the search rate limit: 3500 per 5 minutes by default, configurable, its bounds refused with the field and fix', () => {
    expect(resolveConfig().traffic.searchRate).toEqual({ requests: 3500, windowMs: 300_000 });
    const settings = applyTraffic(FAST_TRAFFIC, { searchRate: { requests: 10 } });
    expect(settings.searchRate).toEqual({ requests: 10, windowMs: 300_000 });
    expect(applyTraffic(settings, { profile: 'production', searchRate: { window: '1m' } }).searchRate).toEqual({ requests: 10, windowMs: 60_000 });
    expect(trafficProblems({ searchRate: { window: '25h' } })[0]).toMatchObject({ field: 'searchRate.window', fix: expect.stringContaining("'24h'") });
    expect(trafficProblems({ searchRate: { window: '0s' } })[0]).toMatchObject({ field: 'searchRate.window', problem: expect.stringContaining('1 ms') });
    expect(trafficProblems({ searchRate: { window: '24h' } })).toEqual([]);
    expect(() => resolveConfig({ overrides: { traffic: { searchRate: { window: '2d' } } } })).toThrow(/traffic\.searchRate\.window/);
    expect(() => resolveConfig({ overrides: { traffic: { searchRate: { requests: 0 } } } })).toThrow(/traffic\.searchRate\.requests/);
    expect(() => resolveConfig({ overrides: { traffic: { searchRate: { requests: 1_000_001 } } } })).toThrow(/traffic\.searchRate\.requests/);
    expect(() => resolveConfig({ overrides: { traffic: { searchRate: { window: -1 } } } })).toThrow(/traffic\.searchRate\.window/);
    // A profile set later at run time keeps the numbers (they are not parts), as it keeps the rates.
    const control = new TrafficControl(FAST_TRAFFIC, () => undefined);
    control.set({ searchRate: { requests: 5 } });
    expect(control.set({ profile: 'production' }).searchRate.requests).toBe(5);
  });

  it('refuses an unknown profile, a rate of 0 and an unknown part', () => {
    expect(() => resolveConfig({ overrides: { traffic: { profile: 'prod' as never } } })).toThrow(/traffic\.profile/);
    expect(() => resolveConfig({ overrides: { traffic: { rates: { account: 0 } } } })).toThrow(/traffic\.rates\.account/);
    expect(() => resolveConfig({ overrides: { traffic: { queue: true } as never } })).toThrow(/queue/);
  });

  it('--profile and BW_EMULATOR_PROFILE set traffic.profile; a bad value is refused', () => {
    expect(resolveConfig({ flags: { profile: 'production' } }).traffic.profile).toBe('production');
    expect(resolveConfig({ env: { BW_EMULATOR_PROFILE: 'production' } }).traffic.throughput).toBe(true);
    expect(resolveConfig({ overrides: { profile: 'production' } }).traffic.optOut).toBe(true);
    expect(() => resolveConfig({ flags: { profile: 'slow' } })).toThrow(/profile/);
  });

  it('run time: global, then per account over the config section; a reset forgets them', () => {
    const control = new TrafficControl(FAST_TRAFFIC, (id) => (id === 'a1' ? { throughput: true } : undefined));
    const heard: Array<string | undefined> = [];
    control.onChange((id) => heard.push(id));
    expect(control.for('a1').throughput).toBe(true);
    expect(control.for('a2').throughput).toBe(false);
    control.set({ profile: 'production' });
    expect(control.for('a2').optOut).toBe(true);
    control.set({ optOut: false }, 'a2');
    expect(control.for('a2')).toMatchObject({ optOut: false, throughput: true });
    expect(control.view('a2').runtime).toEqual({ optOut: false });
    control.reset('a2');
    expect(control.for('a2').optOut).toBe(true);
    control.reset();
    expect(control.for('a2').profile).toBe('fast');
    expect(control.for('a1').throughput).toBe(true);
    expect(heard).toEqual([undefined, 'a2', 'a2', undefined]);
  });
});
