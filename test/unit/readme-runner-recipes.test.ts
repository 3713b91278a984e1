// The README's runner recipes are the fixture files that `npm run test:package` runs: each fenced block that follows
// a `<!-- snippet: same-as PATH -->` marker (the README snippet test's own marker) must equal the file at PATH byte for byte, so the README never shows a recipe that
// was not run (the last one, a globalSetup whose returned close jest ignored, left jest hanging).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

/** Every `<!-- snippet: same-as PATH -->` marker naming a runner fixture, with the fenced block right after it. */
function recipes(markdown: string): Array<{ path: string; code: string | undefined }> {
  return [...markdown.matchAll(/^<!-- snippet: same-as (test\/fixtures\/runners\/\S+) -->\n(?:```[a-z]*\n([\s\S]*?)^```$)?/gm)].map((m) => ({
    path: m[1]!,
    code: m[2],
  }));
}

describe('README runner recipes', () => {
  it('shows the jest and vitest recipes from their fixtures', () => {
    expect(recipes(readme).map((r) => r.path)).toEqual([
      'test/fixtures/runners/jest-cjs/jest.config.js',
      'test/fixtures/runners/jest-cjs/test/global-setup.ts',
      'test/fixtures/runners/jest-cjs/test/global-teardown.ts',
      'test/fixtures/runners/vitest/vitest.config.ts',
      'test/fixtures/runners/vitest/test/global-setup.ts',
    ]);
  });

  it.each(recipes(readme))('the block after the marker for $path is that file, byte for byte', ({ path, code }) => {
    expect(code, `no fenced block right after <!-- snippet: same-as ${path} -->`).toBeDefined();
    expect(code).toBe(readFileSync(`${root}${path}`, 'utf8'));
  });

  it('finds a difference: a block that is not its file fails', () => {
    const [first] = recipes(readme);
    const edited = readme.replace(`<!-- snippet: same-as ${first!.path} -->\n\`\`\`js\n`, `<!-- snippet: same-as ${first!.path} -->\n\`\`\`js\n// edited\n`);
    const [changed] = recipes(edited);
    expect(changed!.code).not.toBe(readFileSync(`${root}${first!.path}`, 'utf8'));
  });
});
