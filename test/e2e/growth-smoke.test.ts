// The growth benchmark in smoke mode (`node bench/growth.mjs --smoke`): every dimension at tiny sizes, proving that
// `npm run bench:growth` works end to end and gives every figure and verdict. No speed or growth is asserted here
// (figures from a shared CI machine at these sizes mean nothing); BENCHMARKS.md holds the full run. Needs the build.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'growth-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Point {
  size: number;
  createP50Ms?: number;
  createP99Ms?: number;
  rssPeakMb: number;
  rssIdleMb: number;
  died?: string;
  problem?: string;
}
interface Dimension {
  key: string;
  points: Point[];
  growth: Record<string, { verdict: string }>;
}

const VERDICT = /^(flat|at most linear|worse than linear|not measured|unbounded: .+)$/;

describe('npm run bench:growth (smoke)', () => {
  it('measures every dimension at every size and gives each cost a verdict', async () => {
    expect(existsSync(`${root}dist/bundle/cli.js`), 'dist/bundle/cli.js is missing: run `npm run build` first').toBe(true);
    const out = join(dir, 'growth.json');
    const { stdout } = await run(process.execPath, ['bench/growth.mjs', '--smoke', '--out', out], {
      cwd: root,
      timeout: 110_000,
      env: { ...process.env, NODE_OPTIONS: '', BENCH_GROWTH_ONLY: '' },
    });
    const results = JSON.parse(readFileSync(out, 'utf8')) as { mode: string; settings: Record<string, unknown>; dimensions: Dimension[]; overall: string };
    expect(results.mode).toBe('smoke');
    expect(results.dimensions.map((d) => d.key)).toEqual(['rules', 'clients', 'pending']);
    for (const d of results.dimensions) {
      expect(
        d.points.map((p) => p.size),
        d.key,
      ).toEqual(results.settings[d.key]);
      for (const p of d.points) {
        expect(p.died, `${d.key} ${p.size}: the emulator survived`).toBeUndefined();
        expect(p.problem, `${d.key} ${p.size}`).toBeUndefined();
        for (const figure of [p.createP50Ms, p.createP99Ms, p.rssPeakMb, p.rssIdleMb]) expect(figure, `${d.key} ${p.size}`).toEqual(expect.any(Number));
      }
      expect(Object.keys(d.growth)).toEqual(expect.arrayContaining(['createP50Ms', 'createP99Ms', 'rssAddedMb']));
      for (const [cost, g] of Object.entries(d.growth)) expect(g.verdict, `${d.key} ${cost}`).toMatch(VERDICT);
    }
    expect(results.overall).toEqual(expect.any(String));
    // The table it prints is the one a full run writes into BENCHMARKS.md.
    expect(stdout).toContain('| dimension | cost | sizes | × cost / × size');
  }, 120_000);
});
