// A scenario file (or a run-time scenario) carries a traffic section that applies while it is loaded: a file's to
// every account, a run-time scenario's to its scope; removing the scenario (or a reset) takes it back.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError } from '../../src/control/operations.js';
import { compileScenario } from '../../src/scenarios/compile.js';
import { ACCOUNT_A, ACCOUNT_B, useControlApi } from '../helpers/control-api.js';

const { startHttp } = useControlApi();

describe('scenario traffic sections', () => {
  it('a file with traffic: {profile: production} switches every account to it while loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bwe-scenario-traffic-'));
    const file = join(dir, 'burst.yaml');
    writeFileSync(file, 'version: 1\nname: burst\ntraffic: { profile: production, onNet: false }\n');
    const f = await startHttp({ scenarios: [file] });
    const control = connectEmulator(f.running.url);
    const global = await control.traffic.get();
    expect(global?.settings).toMatchObject({ profile: 'production', throughput: true, onNet: false });
    expect(global?.scenarios).toEqual([{ scenario: 'burst', traffic: { profile: 'production', onNet: false } }]);
    expect((await control.traffic.get(ACCOUNT_B))?.settings.throughput).toBe(true);
    // The control API's run-time change is above the scenario's.
    await control.traffic.set({ throughput: false });
    expect((await control.traffic.get(ACCOUNT_A))?.settings).toMatchObject({ profile: 'production', throughput: false, optOut: true });
    const listed = await control.scenarios.list();
    expect(listed.scenarios.find((s) => s.name === 'burst')?.traffic).toEqual({ profile: 'production', onNet: false });
  });

  it('a run-time scenario applies to its scope only, and goes with it', async () => {
    const f = await startHttp();
    const control = connectEmulator(f.running.url);
    await control.scenarios.use({ version: 1, name: 'prod-a', traffic: { profile: 'production' } }, { accountId: ACCOUNT_A });
    expect((await control.traffic.get(ACCOUNT_A))?.settings.profile).toBe('production');
    expect((await control.traffic.get(ACCOUNT_A))?.scenarios).toEqual([{ scenario: 'prod-a', traffic: { profile: 'production' } }]);
    expect((await control.traffic.get(ACCOUNT_B))?.settings.profile).toBe('fast');
    await control.scenarios.clear({ accountId: ACCOUNT_A, name: 'prod-a' });
    expect((await control.traffic.get(ACCOUNT_A))?.settings.profile).toBe('fast');
    await control.scenarios.use({ version: 1, name: 'opt-out-everywhere', traffic: { optOut: true } });
    expect((await control.traffic.get(ACCOUNT_B))?.settings.optOut).toBe(true);
    await control.reset();
    expect((await control.traffic.get(ACCOUNT_B))?.settings.optOut).toBe(false);
  });

  it('refuses a traffic section past its bounds, naming the field and the fix', async () => {
    const { problems } = compileScenario({ version: 1, traffic: { queueDepth: '5h' } }, 'deep.yaml', 'deep');
    expect(problems).toEqual([expect.objectContaining({ source: 'deep.yaml', field: 'traffic.queueDepth', fix: expect.stringContaining('4h') })]);
    const unknown = compileScenario({ version: 1, traffic: { profile: 'fast', queue: 1 } }, 'x.yaml', 'x').problems;
    expect(unknown.map((p) => p.field).join()).toMatch(/traffic/);
    const f = await startHttp();
    await expect(connectEmulator(f.running.url).scenarios.use({ version: 1, traffic: { rates: { account: -1 } } })).rejects.toBeInstanceOf(ControlInputError);
  });
});
