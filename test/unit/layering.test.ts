// The layering rules of .dependency-cruiser.cjs, run through dependency-cruiser's API on small trees written to a
// temp dir: each bad tree breaks one rule and must be reported for it; the good tree, with every allowed kind of
// import, must pass (so a rule that fires on everything fails here too). Whether src/ itself keeps the rules is
// `npm run check`'s job, not this file's.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Write `files` (path → source) under a fresh temp dir and return, per violation, `rule: from → to`. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-layering-'));
  dirs.push(dir);
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const { output } = await cruise(['src'], { ...config.options, baseDir: dir, validate: true, ruleSet: { forbidden: config.forbidden } });
  const result = output as ICruiseResult;
  // Every fixture module was read: a tree the cruiser could not parse would pass every rule.
  expect(result.summary.totalCruised).toBe(Object.keys(files).length);
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('layering rules', () => {
  it('pass a tree that imports only downwards: adapters → persistence → core → callbacks → scenarios → store, shared from anywhere', async () => {
    expect(
      await violations({
        'src/errors.ts': 'export class E extends Error {}\n',
        'src/store/messages.ts': "import { E } from '../errors.js';\nexport const store = new E();\n",
        'src/scenarios/engine.ts': "import { store } from '../store/messages.js';\nexport const engine = store;\n",
        'src/callbacks/timeline.ts': "import { engine } from '../scenarios/engine.js';\nexport const timeline = engine;\n",
        'src/messaging/core.ts': "import { timeline } from '../callbacks/timeline.js';\nexport const core = timeline;\n",
        'src/emulator.ts': "import { core } from './messaging/core.js';\nexport class Emulator { core = core; }\n",
        'src/persistence/state.ts': "import type { Emulator } from '../emulator.js';\nexport const save = (e: Emulator) => e.core;\n",
        'src/api/messages.ts':
          "import type { Emulator } from '../emulator.js';\nimport { save } from '../persistence/state.js';\nexport const route = (e: Emulator) => save(e);\n",
      }),
    ).toEqual([]);
  });

  it('fail on a cycle, of plain imports or of type-only ones', async () => {
    // Each cycle is reported once, at the edge where the cruiser found it closed.
    expect(
      await violations({
        'src/store/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/store/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
        'src/scenarios/plan.ts': "import type { Engine } from './engine.js';\nexport interface Plan { engine: Engine }\n",
        'src/scenarios/engine.ts': "import type { Plan } from './plan.js';\nexport const engine = (plan: Plan) => plan;\nexport type Engine = typeof engine;\n",
      }),
    ).toEqual(['no-circular: src/scenarios/engine.ts → src/scenarios/plan.ts', 'no-circular: src/store/a.ts → src/store/b.ts']);
  });

  it('fail when the store imports an adapter', async () => {
    expect(
      await violations({
        'src/store/messages.ts': "import { LIMIT } from '../api/messages.js';\nexport const max = LIMIT;\n",
        'src/api/messages.ts': 'export const LIMIT = 10;\n',
      }),
    ).toEqual(['store-imports-no-layer: src/store/messages.ts → src/api/messages.ts']);
  });

  it('fail on each upward import, type-only ones included, and on a module in no layer', async () => {
    expect(
      await violations({
        'src/scenarios/plan.ts': "import type { Payload } from '../callbacks/payloads.js';\nexport type Plan = Payload[];\n",
        'src/callbacks/payloads.ts': "import type { Emulator } from '../emulator.js';\nexport type Payload = { emulator: Emulator };\n",
        'src/emulator.ts': "import { restore } from './persistence/state.js';\nexport class Emulator { restore = restore; }\n",
        'src/persistence/state.ts': "import { port } from '../server.js';\nexport const restore = () => port;\n",
        'src/server.ts': 'export const port = 0;\n',
        'src/config/resolve.ts': "import { helper } from '../util.js';\nexport const resolve = helper;\n",
        'src/util.ts': 'export const helper = 1;\n',
      }),
    ).toEqual([
      'callbacks-import-only-scenarios-and-store: src/callbacks/payloads.ts → src/emulator.ts',
      'core-imports-no-persistence-or-adapter: src/emulator.ts → src/persistence/state.ts',
      'layer-unknown: src/config/resolve.ts → src/util.ts',
      'persistence-imports-no-adapter: src/persistence/state.ts → src/server.ts',
      'scenarios-import-only-store: src/scenarios/plan.ts → src/callbacks/payloads.ts',
      'shared-imports-no-layer: src/config/resolve.ts → src/util.ts',
    ]);
  });
});
